import { z } from 'zod';
import { ProtocolError, SessionFrameSchema, TimestampSchema, UserIdSchema } from '@chat/wire';
import { defineRecord } from '../envelope';
import { GATEWAY_ID_PATTERN, GatewayIdSchema } from '../ids';

/**
 * How many sockets one user has on one gateway, on the compacted `chat.presence` (key =
 * presenceKey(gatewayId, userId)). A user is online while any gateway reports connections > 0.
 * When the count drops to 0 the gateway writes a tombstone (null value) so compaction forgets the key;
 * readers treat a tombstone and `connections: 0` alike.
 *
 * `openedSessions` ask the router for the `session` frame of new sockets (see OpenedSessionSchema).
 *
 * `gatewayStartedAt` is the `startedAt` of the writing gateway's lease: after a crash and restart
 * under the same gatewayId, records of the earlier run are older than the new lease and are ignored,
 * since nobody is left to tombstone them.
 */
/**
 * A socket the gateway has just registered, waiting for its `session` frame: the gateway's part of
 * the frame. The router completes it with the presence snapshot once its presence view holds this
 * record, and sends it to that socket.
 */
export const OpenedSessionSchema = SessionFrameSchema.omit({ type: true, userId: true, onlineContactIds: true });
export type OpenedSession = z.output<typeof OpenedSessionSchema>;

/** Sockets of one user one record may carry (the gateway's per-user cap is at most this). */
export const MAX_OPENED_SESSIONS = 10_000;

export const PresenceChanged = defineRecord(
  'chat.presence-changed',
  1,
  z.strictObject({
    gatewayId: GatewayIdSchema,
    userId: UserIdSchema,
    connections: z.number().int().nonnegative(),
    at: TimestampSchema,
    gatewayStartedAt: TimestampSchema,
    /** Sockets opened since the user's previous record, each to be answered with its `session` frame. */
    openedSessions: z.array(OpenedSessionSchema).max(MAX_OPENED_SESSIONS).optional(),
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
