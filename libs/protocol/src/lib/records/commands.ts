import { z } from 'zod';
import {
  AssignableRoleSchema,
  ClientMsgIdSchema,
  ConversationIdSchema,
  MAX_ADD_MEMBERS,
  MAX_ANNOUNCEMENT_EXPIRY_SECONDS,
  MAX_GROUP_MEMBERS,
  MAX_HISTORY_LIMIT,
  MAX_LISTED_CONVERSATIONS,
  MessageBodySchema,
  MessageKindSchema,
  MIN_ANNOUNCEMENT_EXPIRY_SECONDS,
  PageCursorSchema,
  ReceiptStatusSchema,
  SeqSchema,
  SyncCursorsSchema,
  TitleSchema,
  uniqueIds,
  UserIdSchema,
} from '@chat/wire';
import { defineRecord } from '../envelope';
import { directConversationId, groupConversationId } from '../ids';
import { defineRecordSet, type EnvelopeOf } from '../record-set';
import { ReplyToSchema } from './reply-to';

/*
 * Commands on `chat.commands`: the gateway turns a client request into one of these for persistence.
 * The acting user (`userId`, or `senderId` for a message) comes from the socket's verified token,
 * never from the frame. `replyTo` routes the answer or error back to the asking socket. The envelope's
 * `occurredAt` is when the gateway received the frame (a message's `sentAt`).
 */

/** Store a message. Persistence assigns the next seq, deduplicating by (conversationId, senderId, clientMsgId). */
export const SendMessageCommand = defineRecord(
  'chat.command.send-message',
  1,
  z.strictObject({
    senderId: UserIdSchema,
    conversationId: ConversationIdSchema,
    clientMsgId: ClientMsgIdSchema,
    body: MessageBodySchema,
    kind: MessageKindSchema,
    replyTo: ReplyToSchema,
  }),
);

/** Record a delivered/read receipt; receipts only move forward (a lower seq is a no-op). */
export const ReceiptCommand = defineRecord(
  'chat.command.receipt',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversationId: ConversationIdSchema,
    seq: SeqSchema,
    status: ReceiptStatusSchema,
    replyTo: ReplyToSchema,
  }),
);

/**
 * Create a group with the creator (`userId`) and `memberIds`. With `clientGroupId` the group's id is
 * groupConversationId(userId, clientGroupId), so a retried create finds the group the first made.
 */
export const CreateGroupCommand = defineRecord(
  'chat.command.create-group',
  1,
  z.strictObject({
    userId: UserIdSchema,
    title: TitleSchema,
    memberIds: uniqueIds(UserIdSchema, MAX_GROUP_MEMBERS - 1),
    clientGroupId: ClientMsgIdSchema.optional(),
    replyTo: ReplyToSchema,
  }),
);

/** Get or create the direct conversation of `userId` and `peerId`; its id is directConversationId(userId, peerId). */
export const OpenDirectCommand = defineRecord(
  'chat.command.open-direct',
  1,
  z
    .strictObject({
      userId: UserIdSchema,
      peerId: UserIdSchema,
      replyTo: ReplyToSchema,
    })
    .refine((command) => command.userId !== command.peerId, { message: 'cannot open a direct conversation with yourself', path: ['peerId'] }),
);

export const AddMembersCommand = defineRecord(
  'chat.command.add-members',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversationId: ConversationIdSchema,
    memberIds: uniqueIds(UserIdSchema, MAX_ADD_MEMBERS),
    replyTo: ReplyToSchema,
  }),
);

/** Remove `memberId` from a group; `memberId` = `userId` means leaving it. */
export const RemoveMemberCommand = defineRecord(
  'chat.command.remove-member',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversationId: ConversationIdSchema,
    memberId: UserIdSchema,
    replyTo: ReplyToSchema,
  }),
);

/** Rename a group (owner and admins). */
export const RenameGroupCommand = defineRecord(
  'chat.command.rename-group',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversationId: ConversationIdSchema,
    title: TitleSchema,
    replyTo: ReplyToSchema,
  }),
);

/** Give `memberId` the role admin or member (the owner only). */
export const SetMemberRoleCommand = defineRecord(
  'chat.command.set-member-role',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversationId: ConversationIdSchema,
    memberId: UserIdSchema,
    role: AssignableRoleSchema,
    replyTo: ReplyToSchema,
  }),
);

/** Make `memberId` the group's owner (the owner only); the old owner becomes an admin. */
export const TransferOwnershipCommand = defineRecord(
  'chat.command.transfer-ownership',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversationId: ConversationIdSchema,
    memberId: UserIdSchema,
    replyTo: ReplyToSchema,
  }),
);

/** Answered by `message` replies and a final `synced` reply, in that order (they share the command's key). */
export const SyncRequestCommand = defineRecord(
  'chat.command.sync-request',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversations: SyncCursorsSchema,
    replyTo: ReplyToSchema,
  }),
);

export const HistoryRequestCommand = defineRecord(
  'chat.command.history-request',
  1,
  z.strictObject({
    userId: UserIdSchema,
    conversationId: ConversationIdSchema,
    beforeSeq: SeqSchema.optional(),
    limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT),
    replyTo: ReplyToSchema,
  }),
);

/**
 * One page of the user's conversations. `limit` and `cursor` are absent in records from gateways of
 * before paging: persistence then answers DEFAULT_LIST_CONVERSATIONS_LIMIT from the first.
 */
export const ListConversationsRequestCommand = defineRecord(
  'chat.command.list-conversations-request',
  1,
  z.strictObject({
    userId: UserIdSchema,
    limit: z.number().int().min(1).max(MAX_LISTED_CONVERSATIONS).optional(),
    cursor: PageCursorSchema.optional(),
    replyTo: ReplyToSchema,
  }),
);

/**
 * Store an administrator's announcement and publish it to everyone. Only the gateway decides who is
 * an administrator (the token's role), so this command exists only for them. Deduplicated by
 * (senderId, clientAnnouncementId) when the key is given; rate-limited per sender by persistence.
 */
export const AnnounceCommand = defineRecord(
  'chat.command.announce',
  1,
  z.strictObject({
    senderId: UserIdSchema,
    body: MessageBodySchema,
    expiresInSeconds: z.number().int().min(MIN_ANNOUNCEMENT_EXPIRY_SECONDS).max(MAX_ANNOUNCEMENT_EXPIRY_SECONDS),
    clientAnnouncementId: ClientMsgIdSchema.optional(),
    replyTo: ReplyToSchema,
  }),
);

/** Every record type on `chat.commands`; persistence decodes with `ChatCommands.decode(value)`. */
export const ChatCommands = defineRecordSet([
  SendMessageCommand,
  ReceiptCommand,
  CreateGroupCommand,
  OpenDirectCommand,
  AddMembersCommand,
  RemoveMemberCommand,
  RenameGroupCommand,
  SetMemberRoleCommand,
  TransferOwnershipCommand,
  SyncRequestCommand,
  HistoryRequestCommand,
  ListConversationsRequestCommand,
  AnnounceCommand,
]);
export type ChatCommandEnvelope = EnvelopeOf<(typeof ChatCommands.types)[number]>;

/**
 * The reads, on `chat.queries` since they left `chat.commands` (ChatCommands still decodes them: a
 * gateway of before the split may send one there during a rolling upgrade, and it is answered too).
 */
export const ChatQueries = defineRecordSet([SyncRequestCommand, HistoryRequestCommand, ListConversationsRequestCommand]);
export type ChatQueryEnvelope = EnvelopeOf<(typeof ChatQueries.types)[number]>;

/** Whether a command is a read (answered by persistence's query handler, whichever topic it came on). */
export function isChatQuery(command: ChatCommandEnvelope): command is ChatQueryEnvelope {
  return ChatQueries.has(command.type);
}

/** The Kafka key of a read on `chat.queries`: its user, to spread reads; they need no order between them. */
export function chatQueryKey(query: ChatQueryEnvelope): string {
  return query.payload.userId;
}

/**
 * The Kafka key of a command: its conversation, so one conversation's commands are handled in order
 * (seq assignment needs no cross-instance lock); the direct conversation's id for open-direct, so
 * both users' requests serialise; the user for commands without a conversation.
 */
export function chatCommandKey(command: ChatCommandEnvelope): string {
  switch (command.type) {
    case 'chat.command.send-message':
    case 'chat.command.receipt':
    case 'chat.command.add-members':
    case 'chat.command.remove-member':
    case 'chat.command.rename-group':
    case 'chat.command.set-member-role':
    case 'chat.command.transfer-ownership':
    case 'chat.command.history-request':
      return command.payload.conversationId;
    case 'chat.command.open-direct':
      return directConversationId(command.payload.userId, command.payload.peerId);
    case 'chat.command.create-group':
      // A create and its retries meet on one partition, in order.
      return command.payload.clientGroupId === undefined ? command.payload.userId : groupConversationId(command.payload.userId, command.payload.clientGroupId);
    case 'chat.command.sync-request':
    case 'chat.command.list-conversations-request':
      return command.payload.userId;
    case 'chat.command.announce':
      // One sender's announcements on one partition, in order: the rate limit counts them one by one.
      return command.payload.senderId;
  }
}
