/**
 * Size limits of the chat protocol, shared by the frame schemas, the Kafka records that carry the
 * same data (libs/protocol), the services that enforce them and the client SDK, so a limit can never
 * differ between two hops.
 */

/** Longest message body, in UTF-16 code units (JavaScript string length) of the text as sent. */
export const MAX_BODY_CHARS = 4000;
/** Longest client-chosen request id (`id` of a client frame, echoed as `replyTo`). */
export const MAX_REQUEST_ID_CHARS = 64;
/** Longest client-chosen message id, the idempotency key of a send. */
export const MAX_CLIENT_MSG_ID_CHARS = 64;
/** Conversations in one `sync` request or `synced` answer. */
export const MAX_SYNC_CONVERSATIONS = 500;
/** Page size bounds of a `history` request. */
export const MAX_HISTORY_LIMIT = 100;
export const DEFAULT_HISTORY_LIMIT = 50;
/** Longest group title. */
export const MAX_TITLE_CHARS = 100;
/** Members of a group, its creator included; so `create_group` may name at most one fewer. */
export const MAX_GROUP_MEMBERS = 1000;
/** Users one `add_members` request may add. */
export const MAX_ADD_MEMBERS = 100;
/** Conversations one `conversations` answer lists: the most a `list_conversations` may ask for (`limit`). */
export const MAX_LISTED_CONVERSATIONS = 500;
/**
 * Conversations one `conversations` answer lists when `list_conversations` gives no `limit` (clients
 * from before paging): they see the most recently active ones, the rest through `nextCursor`.
 */
export const DEFAULT_LIST_CONVERSATIONS_LIMIT = 100;
/** Longest paging cursor (`list_conversations.cursor`, `conversations.nextCursor`). */
export const MAX_CURSOR_CHARS = 200;
/** Online contacts listed in a `session` frame; later `presence` frames keep the picture current. */
export const MAX_SESSION_PRESENCE = 1000;
/** How long an announcement stays current (`announce.expiresInSeconds`): default, least and most, in seconds. */
export const DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS = 24 * 60 * 60;
export const MIN_ANNOUNCEMENT_EXPIRY_SECONDS = 60;
export const MAX_ANNOUNCEMENT_EXPIRY_SECONDS = 30 * 24 * 60 * 60;
/** Longest human-readable text of an `error` frame. */
export const MAX_ERROR_MESSAGE_CHARS = 500;

/**
 * Suggested `maxBytes` for decoding a client frame. The largest legitimate frame is a full `sync`
 * (500 × ~80 bytes) or a body of 4000 characters escaped as `\uXXXX` (24 000 bytes); 64 KiB fits both.
 */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/**
 * Suggested `maxBytes` for decoding a server frame in the client SDK. A server frame must also fit a
 * Kafka record (MAX_RECORD_BYTES in libs/protocol), so servers keep pages smaller than that.
 */
export const MAX_SERVER_FRAME_BYTES = 512 * 1024;
/** Deepest object/array nesting a frame may have (real frames need 4); deeper input is refused unparsed. */
export const MAX_FRAME_DEPTH = 8;
