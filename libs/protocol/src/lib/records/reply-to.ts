import { z } from 'zod';
import { RequestIdSchema } from '@chat/wire';
import { ConnectionIdSchema, GatewayIdSchema } from '../ids';

/**
 * Where the answer to a command goes: the gateway instance, the socket on it and the frame `id` the
 * client will match as `replyTo`. Carried through Kafka so no service needs a callback channel.
 */
export const ReplyToSchema = z.strictObject({
  gatewayId: GatewayIdSchema,
  connectionId: ConnectionIdSchema,
  requestId: RequestIdSchema,
});
export type ReplyTo = z.output<typeof ReplyToSchema>;
