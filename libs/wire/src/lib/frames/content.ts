import { z } from 'zod';
import {
  AnnouncementIdSchema,
  ClientMsgIdSchema,
  ConversationIdSchema,
  MessageIdSchema,
  SeqCursorSchema,
  SeqSchema,
  TimestampSchema,
  UserIdSchema,
} from '../ids';
import { MAX_BODY_CHARS, MAX_GROUP_MEMBERS, MAX_TITLE_CHARS } from '../limits';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../storable-text';

/** Kinds of message. Only text today; the field exists so new kinds do not need a new frame. */
export const MessageKinds = ['text'] as const;
export type MessageKind = (typeof MessageKinds)[number];
export const MessageKindSchema = z.enum(MessageKinds);

const notBlank = (text: string): boolean => text.trim().length > 0;

/** Message text, kept exactly as sent (no trimming), but never empty or whitespace only. */
export const MessageBodySchema = z
  .string()
  .min(1)
  .max(MAX_BODY_CHARS)
  .refine(notBlank, 'must not be empty or whitespace only')
  .refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

/** Group title, kept as sent, never whitespace only. */
export const TitleSchema = z.string().min(1).max(MAX_TITLE_CHARS).refine(notBlank, 'must not be empty or whitespace only').refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

/** `delivered`: reached a device of the reader; `read`: shown to them. A receipt covers every seq up to its own. */
export const ReceiptStatuses = ['delivered', 'read'] as const;
export type ReceiptStatus = (typeof ReceiptStatuses)[number];
export const ReceiptStatusSchema = z.enum(ReceiptStatuses);

export const ConversationKinds = ['direct', 'group'] as const;
export type ConversationKind = (typeof ConversationKinds)[number];
export const ConversationKindSchema = z.enum(ConversationKinds);

/**
 * A member's role in a group: one owner (the creator, until they hand over), admins, members.
 * Direct conversations have no roles. On the wire a group carries them as `ownerId` and `adminIds`.
 */
export const MemberRoles = ['owner', 'admin', 'member'] as const;
export type MemberRole = (typeof MemberRoles)[number];

/** The roles `set_member_role` gives; ownership moves only with `transfer_ownership`. */
export const AssignableRoleSchema = z.enum(['admin', 'member']);
export type AssignableRole = z.output<typeof AssignableRoleSchema>;

/** What a `group_updated` says changed: the title (rename_group) or the roles (set_member_role, transfer_ownership). */
export const GroupChangeSchema = z.enum(['title', 'roles']);
export type GroupChange = z.output<typeof GroupChangeSchema>;

/** A stored message as every reader sees it: in `message` frames, history pages and Kafka events. */
export const ChatMessageSchema = z.strictObject({
  conversationId: ConversationIdSchema,
  seq: SeqSchema,
  messageId: MessageIdSchema,
  senderId: UserIdSchema,
  clientMsgId: ClientMsgIdSchema,
  body: MessageBodySchema,
  kind: MessageKindSchema,
  /** When the gateway received the send (server clock, ms): the sender's clock is not trusted. */
  sentAt: TimestampSchema,
  /** When persistence committed it and assigned `seq` (ms). */
  storedAt: TimestampSchema,
});
export type ChatMessage = z.output<typeof ChatMessageSchema>;

/** A stored announcement as every user sees it: in `announcement` frames and on `chat.announcements`. */
export const AnnouncementSchema = z.strictObject({
  announcementId: AnnouncementIdSchema,
  /** The administrator who sent it. */
  senderId: UserIdSchema,
  body: MessageBodySchema,
  /** When the gateway received the `announce` (server clock, ms). */
  sentAt: TimestampSchema,
  /** After this (ms) it is no longer current: users who connect later do not get it. */
  expiresAt: TimestampSchema,
});
export type Announcement = z.output<typeof AnnouncementSchema>;

/** Fields of a conversation summary; also spread into the `conversation` frame. */
export const conversationSummaryShape = {
  conversationId: ConversationIdSchema,
  kind: ConversationKindSchema,
  /** Groups have one; direct conversations have none (clients show the other member's name). */
  title: TitleSchema.optional(),
  memberIds: z.array(UserIdSchema).min(1).max(MAX_GROUP_MEMBERS),
  /** Groups: the owner, one of `memberIds`. Absent for direct conversations and a group nobody is left in. */
  ownerId: UserIdSchema.optional(),
  /** Groups: the admins other than the owner, in join order (often empty). Absent for direct conversations. */
  adminIds: z.array(UserIdSchema).max(MAX_GROUP_MEMBERS).optional(),
  /** Seq of the newest message, 0 when there is none yet. */
  lastSeq: SeqCursorSchema,
  /** Messages after the reader's own `read` receipt. */
  unread: z.number().int().nonnegative(),
};

interface ConversationShape {
  kind: ConversationKind;
  title?: string | undefined;
  memberIds: string[];
  ownerId?: string | undefined;
  adminIds?: string[] | undefined;
}

/**
 * Groups carry a title and their roles (`ownerId`, `adminIds`: members, the owner not among the
 * admins); a direct conversation has no title, no roles and exactly two members. Roles may be
 * absent (a server or record from before they existed, a group nobody is left in): servers of this
 * release send them for every group with members, and clients of this release read frames without.
 */
export function checkConversationShape(value: ConversationShape, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string, input: unknown) => ctx.addIssue({ code: 'custom', message, path: [path], input });
  if (value.kind === 'direct') {
    if (value.title !== undefined) issue('title', 'a direct conversation has no title', value.title);
    if (value.memberIds.length !== 2) issue('memberIds', 'a direct conversation has exactly 2 members', value.memberIds);
    if (value.ownerId !== undefined) issue('ownerId', 'a direct conversation has no owner', value.ownerId);
    if (value.adminIds !== undefined) issue('adminIds', 'a direct conversation has no admins', value.adminIds);
    return;
  }
  if (value.title === undefined) issue('title', 'a group must have a title', value.title);
  if ((value.ownerId === undefined) !== (value.adminIds === undefined)) issue('adminIds', 'a group has both an owner and its admins, or neither', value.adminIds);
  if (value.ownerId !== undefined && !value.memberIds.includes(value.ownerId)) issue('ownerId', 'the owner must be a member', value.ownerId);
  for (const adminId of value.adminIds ?? []) {
    if (!value.memberIds.includes(adminId) || adminId === value.ownerId) {
      issue('adminIds', 'every admin must be a member other than the owner', adminId);
      break;
    }
  }
}

export const ConversationSummarySchema = z.strictObject(conversationSummaryShape).superRefine(checkConversationShape);
export type ConversationSummary = z.output<typeof ConversationSummarySchema>;
