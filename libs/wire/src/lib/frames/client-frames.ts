import { z } from 'zod';
import { ClientMsgIdSchema, ConversationIdSchema, PageCursorSchema, RequestIdSchema, SeqCursorSchema, SeqSchema, UserIdSchema, uniqueIds } from '../ids';
import {
  DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_LIST_CONVERSATIONS_LIMIT,
  MAX_ADD_MEMBERS,
  MAX_ANNOUNCEMENT_EXPIRY_SECONDS,
  MAX_GROUP_MEMBERS,
  MAX_HISTORY_LIMIT,
  MAX_LISTED_CONVERSATIONS,
  MAX_SYNC_CONVERSATIONS,
  MIN_ANNOUNCEMENT_EXPIRY_SECONDS,
} from '../limits';
import { AssignableRoleSchema, MessageBodySchema, MessageKindSchema, ReceiptStatusSchema, TitleSchema } from './content';

/*
 * Client → server frames. Every request carries a client-chosen `id` that the answer (or error)
 * echoes as `replyTo`. All objects are strict: an unknown key is an error, never silently dropped,
 * so a typo in a client shows up at once instead of as a feature that "does nothing".
 */

/**
 * Send a message. `clientMsgId` makes it idempotent: a resend after a lost answer stores nothing new.
 * Answered by `accepted` once durable; the stored `message` (with its seq) follows to every member.
 */
export const SendFrameSchema = z.strictObject({
  type: z.literal('send'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  clientMsgId: ClientMsgIdSchema,
  body: MessageBodySchema,
  kind: MessageKindSchema.default('text'),
});

/** Report that every message up to `seq` was delivered to / read by this user. No answer unless it fails. */
export const ReceiptRequestFrameSchema = z.strictObject({
  type: z.literal('receipt'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  seq: SeqSchema,
  status: ReceiptStatusSchema,
});

/**
 * Typing indicator; not persisted. Clients resend `active: true` every few seconds while typing and
 * receivers expire it after a few seconds more, so a lost `active: false` cannot stick.
 */
export const TypingRequestFrameSchema = z.strictObject({
  type: z.literal('typing'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  active: z.boolean(),
});

/** One conversation of a sync: "everything after `afterSeq`" (0 = from its beginning). */
export const SyncCursorSchema = z.strictObject({
  conversationId: ConversationIdSchema,
  afterSeq: SeqCursorSchema,
});

/** The conversations of a sync: 1..MAX_SYNC_CONVERSATIONS, each at most once. */
export const SyncCursorsSchema = z
  .array(SyncCursorSchema)
  .min(1)
  .max(MAX_SYNC_CONVERSATIONS)
  .superRefine((cursors, ctx) => {
    const seen = new Set<string>();
    cursors.forEach((cursor, index) => {
      if (seen.has(cursor.conversationId)) {
        ctx.addIssue({ code: 'custom', message: 'Duplicate conversation', path: [index, 'conversationId'], input: cursor.conversationId });
      }
      seen.add(cursor.conversationId);
    });
  });

/**
 * Catch up after (re)connecting: the server answers with `message` frames and then `synced`. The
 * list must name at least one conversation; discover the others with `list_conversations` first.
 */
export const SyncFrameSchema = z.strictObject({
  type: z.literal('sync'),
  id: RequestIdSchema,
  conversations: SyncCursorsSchema,
});

/**
 * The `limit` messages just before `beforeSeq` (absent = the newest ones), answered by one
 * `history_page` in ascending seq order. Page backwards with `beforeSeq` = the smallest seq received.
 */
export const HistoryFrameSchema = z.strictObject({
  type: z.literal('history'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  beforeSeq: SeqSchema.optional(),
  limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).default(DEFAULT_HISTORY_LIMIT),
});

/** Get (creating if needed) the direct conversation with `userId`. Answered by `conversation`. */
export const OpenDirectFrameSchema = z.strictObject({
  type: z.literal('open_direct'),
  id: RequestIdSchema,
  userId: UserIdSchema,
});

/**
 * Create a group; the creator is always a member and need not be listed. Answered by `conversation`.
 * `clientGroupId` is the idempotency key, like a send's `clientMsgId`: a create retried with the same
 * one answers with the group the first made instead of making a second.
 */
export const CreateGroupFrameSchema = z.strictObject({
  type: z.literal('create_group'),
  id: RequestIdSchema,
  title: TitleSchema,
  memberIds: uniqueIds(UserIdSchema, MAX_GROUP_MEMBERS - 1),
  clientGroupId: ClientMsgIdSchema.optional(),
});

/** Add users to a group (owner and admins only). Everyone in it then gets `member_added`. */
export const AddMembersFrameSchema = z.strictObject({
  type: z.literal('add_members'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  userIds: uniqueIds(UserIdSchema, MAX_ADD_MEMBERS),
});

/**
 * Remove a user from a group: yourself = leave (the owner only as the last member), others only
 * with a higher role (the owner removes admins and members, admins remove members). Everyone in it,
 * the removed user too, gets `member_removed`.
 */
export const RemoveMemberFrameSchema = z.strictObject({
  type: z.literal('remove_member'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  userId: UserIdSchema,
});

/** Rename a group (owner and admins). Answered by `conversation`; every member gets `group_updated`. */
export const RenameGroupFrameSchema = z.strictObject({
  type: z.literal('rename_group'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  title: TitleSchema,
});

/** Make a member an admin or a plain member again (the owner only). Answered by `conversation`; every member gets `group_updated`. */
export const SetMemberRoleFrameSchema = z.strictObject({
  type: z.literal('set_member_role'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  userId: UserIdSchema,
  role: AssignableRoleSchema,
});

/** Hand the group over to another member (the owner only); the old owner stays as an admin. Answered by `conversation`; every member gets `group_updated`. */
export const TransferOwnershipFrameSchema = z.strictObject({
  type: z.literal('transfer_ownership'),
  id: RequestIdSchema,
  conversationId: ConversationIdSchema,
  userId: UserIdSchema,
});

/**
 * One page of my conversations, most recently active first, answered by `conversations`: at most
 * `limit` (DEFAULT_LIST_CONVERSATIONS_LIMIT when absent), after `cursor` (the previous page's
 * `nextCursor`; absent = the first page). Follow `nextCursor` until an answer has none.
 */
export const ListConversationsFrameSchema = z.strictObject({
  type: z.literal('list_conversations'),
  id: RequestIdSchema,
  limit: z.number().int().min(1).max(MAX_LISTED_CONVERSATIONS).default(DEFAULT_LIST_CONVERSATIONS_LIMIT),
  cursor: PageCursorSchema.optional(),
});

/**
 * Administrators only: an announcement to every user, pushed to every online socket and shown to
 * users who connect later until it expires. Answered by `announcement` once stored (`forbidden` for
 * anyone else). `clientAnnouncementId` is the idempotency key, like a send's `clientMsgId`.
 */
export const AnnounceFrameSchema = z.strictObject({
  type: z.literal('announce'),
  id: RequestIdSchema,
  body: MessageBodySchema,
  expiresInSeconds: z.number().int().min(MIN_ANNOUNCEMENT_EXPIRY_SECONDS).max(MAX_ANNOUNCEMENT_EXPIRY_SECONDS).default(DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS),
  clientAnnouncementId: ClientMsgIdSchema.optional(),
});

/** Application-level ping (for clients that cannot see WebSocket pings). Answered by `pong`. */
export const PingFrameSchema = z.strictObject({
  type: z.literal('ping'),
  id: RequestIdSchema.optional(),
});

/** Schemas of the client frames by their `type`. */
export const ClientFrameSchemas = {
  send: SendFrameSchema,
  receipt: ReceiptRequestFrameSchema,
  typing: TypingRequestFrameSchema,
  sync: SyncFrameSchema,
  history: HistoryFrameSchema,
  open_direct: OpenDirectFrameSchema,
  create_group: CreateGroupFrameSchema,
  add_members: AddMembersFrameSchema,
  remove_member: RemoveMemberFrameSchema,
  rename_group: RenameGroupFrameSchema,
  set_member_role: SetMemberRoleFrameSchema,
  transfer_ownership: TransferOwnershipFrameSchema,
  list_conversations: ListConversationsFrameSchema,
  announce: AnnounceFrameSchema,
  ping: PingFrameSchema,
} as const;

export const ClientFrameSchema = z.discriminatedUnion('type', [
  SendFrameSchema,
  ReceiptRequestFrameSchema,
  TypingRequestFrameSchema,
  SyncFrameSchema,
  HistoryFrameSchema,
  OpenDirectFrameSchema,
  CreateGroupFrameSchema,
  AddMembersFrameSchema,
  RemoveMemberFrameSchema,
  RenameGroupFrameSchema,
  SetMemberRoleFrameSchema,
  TransferOwnershipFrameSchema,
  ListConversationsFrameSchema,
  AnnounceFrameSchema,
  PingFrameSchema,
]);

/** A decoded client frame: defaults (`kind`, `limit`) are filled in. */
export type ClientFrame = z.output<typeof ClientFrameSchema>;
/** A client frame as a client writes it: fields with defaults may be left out. */
export type ClientFrameInput = z.input<typeof ClientFrameSchema>;
export type ClientFrameType = ClientFrame['type'];
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;
export const ClientFrameTypes = Object.keys(ClientFrameSchemas) as ClientFrameType[];
