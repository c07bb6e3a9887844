import { MAX_DELIVERY_USERS, type EnvelopeContext, type FramesRoutedPayload, type ServerFrame } from '@chat/protocol';

/**
 * One `chat.frames-routed` to produce on the delivery topic of `gatewayId`, with the trace and time
 * of the record that caused it.
 */
export interface Delivery {
  gatewayId: string;
  payload: FramesRoutedPayload;
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
      deliveries.push({ gatewayId, payload: { target: { userIds: users.slice(start, start + MAX_DELIVERY_USERS) }, frames: [frame] }, context });
    }
  }
  return deliveries;
}

/** One frame for every socket of every one of these gateways (a broadcast), one delivery per gateway. */
export function toEveryone(frame: ServerFrame, gatewayIds: Iterable<string>, context: EnvelopeContext): Delivery[] {
  return [...new Set(gatewayIds)].map((gatewayId) => ({ gatewayId, payload: { target: { everyone: true }, frames: [frame] }, context }));
}

/** Frames for exactly one socket, in order: the answers to its request (one, or a sync's several). */
export function toConnection(frames: ServerFrame[], gatewayId: string, connectionId: string, context: EnvelopeContext): Delivery {
  return { gatewayId, payload: { target: { connectionId }, frames }, context };
}
