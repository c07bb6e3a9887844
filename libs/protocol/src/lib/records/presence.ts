import { z } from 'zod';
import { TimestampSchema, UserIdSchema, ProtocolError } from '@chat/wire';
import { defineRecord } from '../envelope';
import { GATEWAY_ID_PATTERN, GatewayIdSchema } from '../ids';

/**
 * How many sockets one user has on one gateway, on the compacted `chat.presence` (key =
 * presenceKey(gatewayId, userId)). A user is online while any gateway reports connections > 0.
 * When the count drops to 0 the gateway writes a tombstone (null value) so compaction forgets the key;
 * readers treat a tombstone and `connections: 0` alike.
 *
 * `gatewayStartedAt` is the `startedAt` of the writing gateway's lease: after a crash and restart
 * under the same gatewayId, records of the earlier run are older than the new lease and are ignored,
 * since nobody is left to tombstone them.
 */
export const PresenceChanged = defineRecord(
  'chat.presence-changed',
  1,
  z.strictObject({
    gatewayId: GatewayIdSchema,
    userId: UserIdSchema,
    connections: z.number().int().nonnegative(),
    at: TimestampSchema,
    gatewayStartedAt: TimestampSchema,
  }),
);

/** The key of a presence record: `<gatewayId>/<userId>`. */
export function presenceKey(gatewayId: string, userId: string): string {
  return `${gatewayId}/${userId}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits a presence key; needed for tombstones, whose only content is the key. */
export function parsePresenceKey(key: Buffer | string | null): { gatewayId: string; userId: string } {
  const text = key === null ? '' : key.toString();
  const slash = text.indexOf('/');
  const gatewayId = text.slice(0, slash);
  const userId = text.slice(slash + 1);
  if (slash < 0 || !GATEWAY_ID_PATTERN.test(gatewayId) || !UUID_PATTERN.test(userId)) {
    throw new ProtocolError('invalid_field', `key: "${text.slice(0, 120)}" is not <gatewayId>/<userId>`, 'key');
  }
  return { gatewayId, userId };
}
