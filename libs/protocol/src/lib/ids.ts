import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Ids that only services see; the ids of frames (users, conversations, messages …) are in libs/wire. */

/** A gateway names each accepted WebSocket with `randomUUID()`; answers are routed back to it. */
export const ConnectionIdSchema = z.uuid();

/**
 * Gateway instance ids become part of a topic name (`chat.delivery.<gatewayId>`), so they are short,
 * lowercase and safe there. They should be stable across restarts (e.g. a pod ordinal), or every
 * restart leaves an orphaned delivery topic behind.
 */
export const GATEWAY_ID_PATTERN = /^[a-z0-9-]{1,60}$/;
export const GatewayIdSchema = z.string().regex(GATEWAY_ID_PATTERN, 'must be 1-60 characters of a-z, 0-9 and -');

const DIRECT_CONVERSATION_NAMESPACE = 'chat.direct-conversation.v1';
const GROUP_CONVERSATION_NAMESPACE = 'chat.group-conversation.v1';

/**
 * The id of the direct conversation between two users: a name-based (version 5 style) UUID of the
 * sorted pair. Every service derives the same id, so two users opening it at the same moment meet
 * in one conversation instead of racing to create two.
 */
export function directConversationId(userA: string, userB: string): string {
  const [first, second] = [userA.toLowerCase(), userB.toLowerCase()].sort();
  return nameBasedUuid(`${DIRECT_CONVERSATION_NAMESPACE}:${first}:${second}`);
}

/**
 * The id of the group a user creates with an idempotency key (`clientGroupId`): the same creator and
 * key give the same id, so a retried create finds the group instead of making another.
 */
export function groupConversationId(creatorId: string, clientGroupId: string): string {
  return nameBasedUuid(`${GROUP_CONVERSATION_NAMESPACE}:${creatorId.toLowerCase()}:${clientGroupId}`);
}

/** A name-based (version 5 style, SHA-1) UUID of `name`. */
function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
