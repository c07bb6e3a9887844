import { z } from 'zod';
import { UserIdSchema, uniqueIds, ServerFrameSchema } from '@chat/wire';
import { defineRecord } from '../envelope';
import { defineRecordSet, type EnvelopeOf } from '../record-set';
import { ConnectionIdSchema } from '../ids';

/** Users one delivery record may address; the router splits larger audiences into several records. */
export const MAX_DELIVERY_USERS = 1000;

/**
 * Every local socket of these users, exactly one socket (the answer to its request), or every socket
 * of the gateway (a broadcast: announcements).
 */
export const DeliveryTargetSchema = z.union([
  z.strictObject({ userIds: uniqueIds(UserIdSchema, MAX_DELIVERY_USERS) }),
  z.strictObject({ connectionId: ConnectionIdSchema }),
  z.strictObject({ everyone: z.literal(true) }),
]);
export type DeliveryTarget = z.output<typeof DeliveryTargetSchema>;

/**
 * Frames for one gateway's sockets, on that gateway's own `chat.delivery.<gatewayId>` topic (the
 * topic names the gateway, so the record does not): one frame for all its recipients there (a stored
 * message, a receipt, presence), or the answers to one request, in order, for the socket that asked
 * (a sync's `message` frames and its `synced`). The gateway encodes each frame once, whatever the
 * number of sockets, and writes the frames one after another. A gateway that finds no matching
 * socket drops them: the client catches up with `sync`.
 */
export const FramesRouted = defineRecord(
  'chat.frames-routed',
  1,
  z.strictObject({
    target: DeliveryTargetSchema,
    frames: z.array(ServerFrameSchema).min(1),
  }),
);
export type FramesRoutedPayload = z.output<typeof FramesRouted.payloadSchema>;

/** Every record type on a `chat.delivery.<gatewayId>` topic; the gateway decodes with `GatewayDeliveries.decode(value)`. */
export const GatewayDeliveries = defineRecordSet([FramesRouted]);
export type GatewayDeliveryEnvelope = EnvelopeOf<(typeof GatewayDeliveries.types)[number]>;

/**
 * The Kafka key of a delivery record, which fixes what stays in order: all answers to one socket
 * (so a sync's `message` frames precede its `synced`), else all frames of one conversation, else
 * (presence) all frames about one user; a broadcast by its announcement (nothing orders them).
 */
export function framesRoutedKey(delivery: FramesRoutedPayload): string {
  if ('connectionId' in delivery.target) return delivery.target.connectionId;
  const [frame] = delivery.frames;
  if ('conversationId' in frame) return frame.conversationId;
  if (frame.type === 'presence') return frame.userId;
  if (frame.type === 'announcement') return frame.announcementId;
  return 'userIds' in delivery.target ? (delivery.target.userIds[0] ?? frame.type) : frame.type;
}
