import { z } from 'zod';
import { MAX_CLIENT_MSG_ID_CHARS, MAX_CURSOR_CHARS, MAX_REQUEST_ID_CHARS } from './limits';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './storable-text';

/** Users are identified by the UUID auth assigns at registration. */
export const UserIdSchema = z.uuid();
/**
 * The sender of announcements an operator made with `chatctl announce` (the nil UUID, which auth
 * never assigns): clients show such an announcement as coming from the operators, not from a user.
 */
export const OPERATOR_USER_ID = '00000000-0000-0000-0000-000000000000';
/** Conversations are UUIDs: random for groups, derived from the pair for direct ones (see directConversationId). */
export const ConversationIdSchema = z.uuid();
/** Stored messages get a server-assigned UUID besides their per-conversation `seq`. */
export const MessageIdSchema = z.uuid();
/** Stored announcements get a server-assigned UUID. */
export const AnnouncementIdSchema = z.uuid();

/** Client-chosen id of a request frame; opaque to the server, which only echoes it (and may store it in an answer). */
export const RequestIdSchema = z.string().min(1).max(MAX_REQUEST_ID_CHARS).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

/** Client-chosen id of a message: the idempotency key that makes a resend safe. */
export const CLIENT_MSG_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
export const ClientMsgIdSchema = z
  .string()
  .min(1)
  .max(MAX_CLIENT_MSG_ID_CHARS)
  .regex(CLIENT_MSG_ID_PATTERN, 'must contain only A-Z, a-z, 0-9, _ and -');

/** Usernames are case-preserving, 3-32 characters that need no escaping anywhere they are shown. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const UsernameSchema = z.string().regex(USERNAME_PATTERN, 'must be 3-32 characters of A-Z, a-z, 0-9, _, . and -');

/** Milliseconds since the Unix epoch, as produced by Date.now(). */
export const TimestampSchema = z.number().int().nonnegative();
/** Position of a stored message in its conversation: 1, 2, 3… without gaps, assigned by persistence. */
export const SeqSchema = z.number().int().min(1);
/** A position between messages: 0 is before the first message, n is just after message n. */
export const SeqCursorSchema = z.number().int().nonnegative();
/** A page's position as the server wrote it (`nextCursor`): opaque to clients, which send it back as is. */
export const PageCursorSchema = z.string().min(1).max(MAX_CURSOR_CHARS).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor from a previous answer (A-Z, a-z, 0-9, _ and -)');

/** An array of 1..max ids without duplicates; a duplicate is reported at its own index. */
export function uniqueIds<T extends z.ZodType<string>>(item: T, max: number) {
  return z
    .array(item)
    .min(1)
    .max(max)
    .superRefine((ids, ctx) => {
      const seen = new Set<string>();
      ids.forEach((id, index) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', message: 'Duplicate id', path: [index], input: id });
        seen.add(id);
      });
    });
}
