import { z } from 'zod';
import { ClientMsgIdSchema, ConversationIdSchema, PageCursorSchema, RequestIdSchema, SeqCursorSchema, SeqSchema, TimestampSchema, UserIdSchema } from '../ids';
import { MAX_ERROR_MESSAGE_CHARS, MAX_GROUP_MEMBERS, MAX_HISTORY_LIMIT, MAX_LISTED_CONVERSATIONS, MAX_SESSION_PRESENCE, MAX_SYNC_CONVERSATIONS } from '../limits';
import {
  AnnouncementSchema,
  ChatMessageSchema,
  checkConversationShape,
  ConversationSummarySchema,
  conversationSummaryShape,
  GroupChangeSchema,
  ReceiptStatusSchema,
  TitleSchema,
} from './content';
import { ERROR_CODES } from './error-codes';

/*
 * Server → client frames. Answers to a request carry its `id` as `replyTo`; pushed frames have none.
 * Clients must tolerate duplicates (a message may arrive both live and through sync): a message is
 * identified by (conversationId, seq).
 */

/**
 * First frame of a socket, once it is registered for pushes: every message, receipt or presence
 * change for this user that happens after it reaches this socket (what happened before, `sync`
 * fetches, so a client syncs on receiving it). Says what this socket is and what applies to it.
 */
export const SessionFrameSchema = z.strictObject({
  type: z.literal('session'),
  userId: UserIdSchema,
  /** This socket; logs on both sides name it. */
  connectionId: z.uuid(),
  /** The login session (refresh-token family) of the access token; logout ends it and closes its sockets. */
  sessionId: z.uuid().optional(),
  /** The server pings this often; answer pings (browsers do) or send any frame. */
  heartbeatIntervalMs: z.number().int().positive(),
  /** Silence (no pong, no frame) for this long and the server closes the socket with 4000. */
  idleTimeoutMs: z.number().int().positive(),
  limits: z.strictObject({
    /** Largest frame the server reads; a larger one closes the socket with 1009 (`message_too_big`). */
    maxFrameBytes: z.number().int().positive(),
    /** Sustained frames per second, and the burst above it, before frames are refused with `rate_limited`. */
    framesPerSecond: z.number().int().positive(),
    frameBurst: z.number().int().positive(),
    /** Sockets one user may hold on one gateway (one more is closed with 4009). */
    maxConnectionsPerUser: z.number().int().positive(),
  }),
  /**
   * Contacts (users who share a conversation with this one) online now; everyone else is offline.
   * At most MAX_SESSION_PRESENCE; `presence` frames follow every change after this one.
   */
  onlineContactIds: z.array(UserIdSchema).max(MAX_SESSION_PRESENCE),
});

/**
 * The send is durable in Kafka and will be stored. The seq is assigned later by persistence, so it is
 * absent here; the `message` frame that follows (matched by clientMsgId) carries it. It is present
 * only when the server already knows it, e.g. for a resend of a clientMsgId that was stored before.
 */
export const AcceptedFrameSchema = z.strictObject({
  type: z.literal('accepted'),
  replyTo: RequestIdSchema,
  conversationId: ConversationIdSchema,
  clientMsgId: ClientMsgIdSchema,
  seq: SeqSchema.optional(),
});

/** A stored message, pushed to every member's connections (the sender's own devices included). */
export const MessageFrameSchema = z.strictObject({
  type: z.literal('message'),
  ...ChatMessageSchema.shape,
});

/** `userId` has received / read every message of the conversation up to `seq`. */
export const ReceiptFrameSchema = z.strictObject({
  type: z.literal('receipt'),
  conversationId: ConversationIdSchema,
  userId: UserIdSchema,
  seq: SeqSchema,
  status: ReceiptStatusSchema,
  at: TimestampSchema,
});

/** `userId` started or stopped typing. Expire `active: true` client-side if not refreshed. */
export const TypingFrameSchema = z.strictObject({
  type: z.literal('typing'),
  conversationId: ConversationIdSchema,
  userId: UserIdSchema,
  active: z.boolean(),
});

/** A user with whom this user shares a conversation came online (first connection) or went offline (last one). */
export const PresenceFrameSchema = z.strictObject({
  type: z.literal('presence'),
  userId: UserIdSchema,
  online: z.boolean(),
  at: TimestampSchema,
});

/**
 * Answer to `history`: messages in ascending seq. `hasMore` says whether older ones exist. The server
 * may return fewer than `limit` to keep the frame small; only `hasMore` means "there is more".
 */
export const HistoryPageFrameSchema = z.strictObject({
  type: z.literal('history_page'),
  replyTo: RequestIdSchema,
  conversationId: ConversationIdSchema,
  messages: z.array(ChatMessageSchema).max(MAX_HISTORY_LIMIT),
  hasMore: z.boolean(),
});

/**
 * Last frame of the answer to `sync`, after its `message` frames. `lastSeq` is the conversation's
 * newest seq when the sync ran: if the client has not received up to it (the server caps how much
 * one sync sends), it syncs again from the highest seq it has.
 */
export const SyncedFrameSchema = z.strictObject({
  type: z.literal('synced'),
  replyTo: RequestIdSchema,
  conversations: z
    .array(z.strictObject({ conversationId: ConversationIdSchema, lastSeq: SeqCursorSchema }))
    .max(MAX_SYNC_CONVERSATIONS),
});

/**
 * One conversation: the answer to `open_direct`, `create_group`, `add_members`, `remove_member`,
 * `rename_group`, `set_member_role` and `transfer_ownership` (the conversation after the change), or
 * pushed (no replyTo) when it changes. `memberIds` is empty
 * only for a group whose last member just left (the answer to that member's `remove_member`).
 */
export const ConversationFrameSchema = z
  .strictObject({
    type: z.literal('conversation'),
    replyTo: RequestIdSchema.optional(),
    ...conversationSummaryShape,
    memberIds: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS),
  })
  .superRefine(checkConversationShape);

/**
 * Answer to `list_conversations`: one page, most recently active first. `nextCursor` is present when
 * more may follow (send it back as `cursor`); the server may list fewer than `limit` to keep the frame
 * small, so only its absence means "that was all".
 */
export const ConversationsFrameSchema = z.strictObject({
  type: z.literal('conversations'),
  replyTo: RequestIdSchema,
  items: z.array(ConversationSummarySchema).max(MAX_LISTED_CONVERSATIONS),
  nextCursor: PageCursorSchema.optional(),
});

/** Users were added to a group by `by`. Sent to all members after the change, the new ones included. */
export const MemberAddedFrameSchema = z.strictObject({
  type: z.literal('member_added'),
  conversationId: ConversationIdSchema,
  userIds: z.array(UserIdSchema).min(1).max(MAX_GROUP_MEMBERS),
  by: UserIdSchema,
});

/** A user left (`by` = `userId`) or was removed from a group. Sent to the remaining members and to the removed user. */
export const MemberRemovedFrameSchema = z.strictObject({
  type: z.literal('member_removed'),
  conversationId: ConversationIdSchema,
  userId: UserIdSchema,
  by: UserIdSchema,
});

/**
 * A group was renamed or its roles changed, by `by`: its title and roles as they are now, and what
 * changed. Sent to every member after the change. Roles also change with `member_removed` (a removed
 * admin is no longer one), which is not repeated here.
 */
export const GroupUpdatedFrameSchema = z
  .strictObject({
    type: z.literal('group_updated'),
    conversationId: ConversationIdSchema,
    title: TitleSchema,
    ownerId: UserIdSchema,
    adminIds: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS),
    changed: z.array(GroupChangeSchema).min(1).max(GroupChangeSchema.options.length),
    by: UserIdSchema,
  })
  .refine((frame) => !frame.adminIds.includes(frame.ownerId), { message: 'the owner is not among the admins', path: ['adminIds'] });

/**
 * An administrator's announcement: pushed to every online socket (no `replyTo`), and the answer to
 * the sender's `announce` once stored (with `replyTo`). Current until `expiresAt`; a client shows it
 * once per `announcementId` (it may arrive twice: live and again on connect).
 */
export const AnnouncementFrameSchema = z.strictObject({
  type: z.literal('announcement'),
  replyTo: RequestIdSchema.optional(),
  ...AnnouncementSchema.shape,
});

/** Answer to `ping`. */
export const PongFrameSchema = z.strictObject({
  type: z.literal('pong'),
  replyTo: RequestIdSchema.optional(),
});

/** A request failed, or a frame could not be read (then `replyTo` is absent). See ErrorCodes. */
export const ErrorFrameSchema = z.strictObject({
  type: z.literal('error'),
  replyTo: RequestIdSchema.optional(),
  code: z.enum(ERROR_CODES),
  message: z.string().max(MAX_ERROR_MESSAGE_CHARS),
});

/** Schemas of the server frames by their `type`. */
export const ServerFrameSchemas = {
  session: SessionFrameSchema,
  accepted: AcceptedFrameSchema,
  message: MessageFrameSchema,
  receipt: ReceiptFrameSchema,
  typing: TypingFrameSchema,
  presence: PresenceFrameSchema,
  history_page: HistoryPageFrameSchema,
  synced: SyncedFrameSchema,
  conversation: ConversationFrameSchema,
  conversations: ConversationsFrameSchema,
  member_added: MemberAddedFrameSchema,
  member_removed: MemberRemovedFrameSchema,
  group_updated: GroupUpdatedFrameSchema,
  announcement: AnnouncementFrameSchema,
  pong: PongFrameSchema,
  error: ErrorFrameSchema,
} as const;

export const ServerFrameSchema = z.discriminatedUnion('type', [
  SessionFrameSchema,
  AcceptedFrameSchema,
  MessageFrameSchema,
  ReceiptFrameSchema,
  TypingFrameSchema,
  PresenceFrameSchema,
  HistoryPageFrameSchema,
  SyncedFrameSchema,
  ConversationFrameSchema,
  ConversationsFrameSchema,
  MemberAddedFrameSchema,
  MemberRemovedFrameSchema,
  GroupUpdatedFrameSchema,
  AnnouncementFrameSchema,
  PongFrameSchema,
  ErrorFrameSchema,
]);

/** Server frames have no defaults, so what a server writes is exactly what a client reads. */
export type ServerFrame = z.output<typeof ServerFrameSchema>;
export type ServerFrameType = ServerFrame['type'];
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
export const ServerFrameTypes = Object.keys(ServerFrameSchemas) as ServerFrameType[];
