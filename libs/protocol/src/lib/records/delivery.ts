import { z } from 'zod';
import { defineRecord } from '../envelope';
import { defineRecordSet, type EnvelopeOf } from '../record-set';
import { ConnectionIdSchema, GatewayIdSchema, UserIdSchema, uniqueIds } from '../ids';
import { MAX_DELIVERY_USERS } from '../limits';
import { ServerFrameSchema } from '../frames/server-frames';

/** Every local socket of these users, or exactly one socket (the answer to its request). */
export const DeliveryTargetSchema = z.union([
  z.strictObject({ userIds: uniqueIds(UserIdSchema, MAX_DELIVERY_USERS) }),
  z.strictObject({ connectionId: ConnectionIdSchema }),
]);
export type DeliveryTarget = z.output<typeof DeliveryTargetSchema>;

/**
 * The router telling one gateway to push a frame, on that gateway's own `chat.delivery.<gatewayId>`
 * topic. One record carries one frame for all its recipients on that gateway, so the gateway encodes
 * it once. A gateway that finds no matching socket drops it: the client catches up with `sync`.
 */
export const FrameRouted = defineRecord(
  'chat.frame-routed',
  1,
  z.strictObject({
    gatewayId: GatewayIdSchema,
    target: DeliveryTargetSchema,
    frame: ServerFrameSchema,
  }),
);

/**
 * The router passing on a CommandAnswers: several frames, in order, for the one socket that asked
 * (a sync's `message` frames and its `synced`). The gateway writes them one after another, so the
 * client sees exactly the frames one FrameRouted each would have given it. Gateways that predate
 * this type dead-letter it: upgrade gateways before routers and persistence.
 */
export const AnswersRouted = defineRecord(
  'chat.answers-routed',
  1,
  z.strictObject({
    gatewayId: GatewayIdSchema,
    target: z.strictObject({ connectionId: ConnectionIdSchema }),
    frames: z.array(ServerFrameSchema).min(1),
  }),
);

/** Every record type on a `chat.delivery.<gatewayId>` topic; the gateway decodes with `GatewayDeliveries.decode(value)`. */
export const GatewayDeliveries = defineRecordSet([FrameRouted, AnswersRouted]);
export type GatewayDeliveryEnvelope = EnvelopeOf<(typeof GatewayDeliveries.types)[number]>;

/**
 * The Kafka key of a delivery record, which fixes what stays in order: all answers to one socket
 * (so a sync's `message` frames precede its `synced`), else all frames of one conversation, else
 * (presence) all frames about one user.
 */
export function frameRoutedKey(delivery: z.output<typeof FrameRouted.payloadSchema> | z.output<typeof AnswersRouted.payloadSchema>): string {
  if ('frames' in delivery) return delivery.target.connectionId;
  if ('connectionId' in delivery.target) return delivery.target.connectionId;
  const frame = delivery.frame;
  if ('conversationId' in frame) return frame.conversationId;
  if (frame.type === 'presence') return frame.userId;
  return delivery.target.userIds[0] ?? frame.type;
}
