import { MAX_DELIVERY_USERS, type EnvelopeContext, type EnvelopeOf, type FrameRouted, type ServerFrame } from '@chat/protocol';

export type FrameRoutedPayload = EnvelopeOf<typeof FrameRouted>['payload'];

/** One `chat.frame-routed` to produce, with the trace and time of the record that caused it. */
export interface Delivery {
  payload: FrameRoutedPayload;
  context: EnvelopeContext;
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

/** A frame for exactly one socket: the answer to its request. */
export function toConnection(frame: ServerFrame, gatewayId: string, connectionId: string, context: EnvelopeContext): Delivery {
  return { payload: { gatewayId, target: { connectionId }, frame }, context };
}
