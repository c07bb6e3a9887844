import { z } from 'zod';
import {
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

/** Fields of a conversation summary; also spread into the `conversation` frame. */
export const conversationSummaryShape = {
  conversationId: ConversationIdSchema,
  kind: ConversationKindSchema,
  /** Groups have one; direct conversations have none (clients show the other member's name). */
  title: TitleSchema.optional(),
  memberIds: z.array(UserIdSchema).min(1).max(MAX_GROUP_MEMBERS),
  /** Seq of the newest message, 0 when there is none yet. */
  lastSeq: SeqCursorSchema,
  /** Messages after the reader's own `read` receipt. */
  unread: z.number().int().nonnegative(),
};

/** Groups carry a title; a direct conversation has no title and exactly two members. */
export function checkConversationShape(
  value: { kind: ConversationKind; title?: string | undefined; memberIds: string[] },
  ctx: z.RefinementCtx,
): void {
  if (value.kind === 'group' && value.title === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a group must have a title', path: ['title'], input: value.title });
  }
  if (value.kind === 'direct' && value.title !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'a direct conversation has no title', path: ['title'], input: value.title });
  }
  if (value.kind === 'direct' && value.memberIds.length !== 2) {
    ctx.addIssue({ code: 'custom', message: 'a direct conversation has exactly 2 members', path: ['memberIds'], input: value.memberIds });
  }
}

export const ConversationSummarySchema = z.strictObject(conversationSummaryShape).superRefine(checkConversationShape);
export type ConversationSummary = z.output<typeof ConversationSummarySchema>;
