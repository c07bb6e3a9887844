import { z } from 'zod';
import {
  ChatMessageSchema,
  ConversationIdSchema,
  MAX_GROUP_MEMBERS,
  ReceiptStatusSchema,
  SeqSchema,
  ServerFrameSchema,
  TimestampSchema,
  uniqueIds,
  UserIdSchema,
} from '@chat/wire';
import { defineRecord } from '../envelope';
import { defineRecordSet, type EnvelopeOf } from '../record-set';
import { ReplyToSchema } from './reply-to';

/*
 * Events on `chat.events`, read by the router to push frames to the right sockets. Stored facts
 * name their recipients (the members when persistence committed them), so the router routes them
 * without a membership lookup and a just-removed member can never receive a later message.
 */

/** A message was stored with its seq. Recipients are all members, the sender included (their other devices). */
export const MessageStored = defineRecord(
  'chat.message-stored',
  1,
  z.strictObject({
    message: ChatMessageSchema,
    recipientIds: uniqueIds(UserIdSchema, MAX_GROUP_MEMBERS),
  }),
);

/** A receipt moved a member's delivered/read position forward. */
export const ReceiptStored = defineRecord(
  'chat.receipt-stored',
  1,
  z.strictObject({
    conversationId: ConversationIdSchema,
    userId: UserIdSchema,
    seq: SeqSchema,
    status: ReceiptStatusSchema,
    at: TimestampSchema,
    recipientIds: uniqueIds(UserIdSchema, MAX_GROUP_MEMBERS),
  }),
);

/**
 * A user started/stopped typing. Produced by the gateway onto `chat.typing` (typing is not
 * persisted; older gateways put it on `chat.events`, which the router still accepts); keyed by conversation. The router checks membership against
 * its `chat.memberships` view and forwards to the other members.
 */
export const TypingChanged = defineRecord(
  'chat.typing-changed',
  1,
  z.strictObject({
    conversationId: ConversationIdSchema,
    userId: UserIdSchema,
    active: z.boolean(),
  }),
);

/**
 * The answers to a command, in order, for the one socket that sent it: one frame (`accepted`,
 * `conversation`, `history_page`, an `error` …), or the `message` frames of a sync and its final
 * `synced`, as many as fit one record (a sync of long messages takes a few). Produced with the
 * command's key, so the answers to one command arrive in order.
 */
export const CommandAnswers = defineRecord(
  'chat.command-answers',
  1,
  z.strictObject({
    replyTo: ReplyToSchema,
    frames: z.array(ServerFrameSchema).min(1),
  }),
);

/** Every record type on `chat.events`; the router decodes with `ChatEvents.decode(value)`. */
export const ChatEvents = defineRecordSet([MessageStored, ReceiptStored, TypingChanged, CommandAnswers]);
export type ChatEventEnvelope = EnvelopeOf<(typeof ChatEvents.types)[number]>;
