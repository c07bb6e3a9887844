import { MAX_DELIVERY_USERS, type AnswersRouted, type EnvelopeContext, type EnvelopeOf, type FrameRouted, type ServerFrame } from '@chat/protocol';

export type FrameRoutedPayload = EnvelopeOf<typeof FrameRouted>['payload'];
export type AnswersRoutedPayload = EnvelopeOf<typeof AnswersRouted>['payload'];

/**
 * One record to produce on a gateway's delivery topic, with the trace and time of the record that
 * caused it: a `chat.frame-routed` (one frame), or a `chat.answers-routed` (several frames answering
 * one request, told apart by `frames`).
 */
export interface Delivery<P extends FrameRoutedPayload | AnswersRoutedPayload = FrameRoutedPayload> {
  payload: P;
  context: EnvelopeContext;
}
export type RoutedDelivery = Delivery<FrameRoutedPayload | AnswersRoutedPayload>;

/** The frames a delivery carries, in the order the socket gets them. */
export function framesOf(payload: FrameRoutedPayload | AnswersRoutedPayload): readonly ServerFrame[] {
  return 'frames' in payload ? payload.frames : [payload.frame];
}

/** The gateways holding sockets of a user (none: the user is offline and catches up with sync). */
export type LocateUser = (userId: string) => readonly string[];

/**
 * One frame for many users, as one delivery per gateway that holds any of them: each gateway gets
 * only its own users, and encodes the frame once for all of them. Audiences larger than a delivery
 * may address are split.
 */
export function fanOut(frame: ServerFrame, userIds: Iterable<string>, locate: LocateUser, context: EnvelopeContext): Delivery[] {
  const byGateway = new Map<string, string[]>();
  for (const userId of new Set(userIds)) {
    for (const gatewayId of locate(userId)) {
      let users = byGateway.get(gatewayId);
      if (!users) {
        users = [];
        byGateway.set(gatewayId, users);
      }
      users.push(userId);
    }
  }
  const deliveries: Delivery[] = [];
  for (const [gatewayId, users] of byGateway) {
    for (let start = 0; start < users.length; start += MAX_DELIVERY_USERS) {
      deliveries.push({ payload: { gatewayId, target: { userIds: users.slice(start, start + MAX_DELIVERY_USERS) }, frame }, context });
    }
  }
  return deliveries;
}

/** Several frames for exactly one socket, in order: the answers to its request (a sync). */
export function answersToConnection(frames: ServerFrame[], gatewayId: string, connectionId: string, context: EnvelopeContext): Delivery<AnswersRoutedPayload> {
  return { payload: { gatewayId, target: { connectionId }, frames }, context };
}

/** A frame for exactly one socket: the answer to its request. */
export function toConnection(frame: ServerFrame, gatewayId: string, connectionId: string, context: EnvelopeContext): Delivery {
  return { payload: { gatewayId, target: { connectionId }, frame }, context };
}
