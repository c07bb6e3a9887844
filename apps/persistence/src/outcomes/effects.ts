import {
  AnnouncementPublished,
  chatCommandKey,
  CommandAnswers,
  MAX_RECORD_BYTES,
  MembershipChanged,
  MessageStored,
  ReceiptStored,
  Topics,
  type Announcement,
  type ChatCommandEnvelope,
  type ChatMessage,
  type EnvelopeContext,
  type Envelope,
  type ServerFrame,
} from '@chat/protocol';
import { PermanentError } from '@chat/kafka';
import type { CommandRejected } from './command-rejected';
import { packListIntoRecords, recordBytes } from './record-budget';

export type EffectTopic = typeof Topics.events.name | typeof Topics.memberships.name | typeof Topics.announcements.name;

/** A record a command produces, published only after the batch's transaction committed. */
export interface Effect {
  topic: EffectTopic;
  key: string;
  envelope: Envelope;
}

type ReceiptPayload = Parameters<typeof ReceiptStored.create>[0];
type MembershipPayload = Parameters<typeof MembershipChanged.create>[0];

/** Results carry the command's trace id and edge time, so latency and logs follow one message end to end. */
function contextOf(command: ChatCommandEnvelope, id?: string): EnvelopeContext {
  return { traceId: command.traceId, occurredAt: command.occurredAt, ...(id === undefined ? {} : { id }) };
}

/**
 * Room left in a record of answers: they are passed on to the gateway in a record of their own
 * (FramesRouted), whose envelope is no larger but need not be byte for byte the same size.
 */
const ANSWERS_RECORD_BYTES = MAX_RECORD_BYTES - 1024;

function effect(topic: EffectTopic, key: string, envelope: Envelope): Effect {
  const bytes = recordBytes(envelope);
  // Callers keep records small by construction; failing here (inside the transaction) beats a broker rejection after the commit.
  if (bytes > MAX_RECORD_BYTES) throw new PermanentError(`${envelope.type} of ${bytes} bytes exceeds MAX_RECORD_BYTES (${MAX_RECORD_BYTES})`);
  return { topic, key, envelope };
}

/** A frame for the socket that sent the command, keyed like the command so its answers stay in order. */
export function answer(command: ChatCommandEnvelope, frame: ServerFrame): Effect {
  return effect(Topics.events.name, chatCommandKey(command), CommandAnswers.create({ replyTo: command.payload.replyTo, frames: [frame] }, contextOf(command)));
}

/**
 * Several frames for the socket that sent the command, in this order (a sync's `message` frames,
 * then its `synced`), packed into as few records as fit: one record per frame would cost every hop
 * up to the socket a record per message.
 */
export function answers(command: ChatCommandEnvelope, frames: ServerFrame[]): Effect[] {
  const { replyTo } = command.payload;
  const build = (part: ServerFrame[]) => CommandAnswers.create({ replyTo, frames: part }, contextOf(command));
  return packListIntoRecords(frames, build, ANSWERS_RECORD_BYTES).map((part) => effect(Topics.events.name, chatCommandKey(command), build(part)));
}

/**
 * The `error` answer to a rejected command, matched by the client through `replyTo`. Its envelope id
 * is the command's: a send is not recorded as processed, so a replayed rejected send is answered
 * anew, and this keeps that answer recognisable as the same event.
 */
export function rejectionAnswer(command: ChatCommandEnvelope, rejection: CommandRejected): Effect {
  const frame: ServerFrame = { type: 'error', replyTo: command.payload.replyTo.requestId, code: rejection.code, message: rejection.message };
  return effect(Topics.events.name, chatCommandKey(command), CommandAnswers.create({ replyTo: command.payload.replyTo, frames: [frame] }, contextOf(command, command.id)));
}

/**
 * A stored message for every member. The envelope id is the message id, so a re-publication (a
 * resend of the same clientMsgId) is recognisable downstream as the same event. `inserted` says the
 * command stored the message now (not a resend finding it stored before), which metrics count once committed.
 */
export function messageStored(command: ChatCommandEnvelope, message: ChatMessage, recipientIds: string[], inserted: boolean): Effect {
  // From a decoded command and stored rows: valid by construction, so not checked again per message,
  // and small by construction too (a body of at most MAX_BODY_CHARS, at most MAX_GROUP_MEMBERS
  // recipients: tens of KiB), so not encoded just to measure it on the hot path.
  const envelope = MessageStored.createValidated({ message, recipientIds }, contextOf(command, message.messageId));
  const stored: Effect = { topic: Topics.events.name, key: message.conversationId, envelope };
  if (inserted) insertedMessages.set(stored, { acceptedAt: command.producedAt, storedAt: message.storedAt });
  return stored;
}

/** When a message its command inserted was accepted (the command produced by the gateway) and stored. */
export interface InsertedMessage {
  acceptedAt: number;
  storedAt: number;
}

/** Kept beside the effects, never persisted with them: a replayed command re-publishes without counting again. */
const insertedMessages = new WeakMap<Effect, InsertedMessage>();

/** Set for a `messageStored` effect whose command inserted the message. */
export function insertedMessageOf(effect: Effect): InsertedMessage | undefined {
  return insertedMessages.get(effect);
}

export function receiptStored(command: ChatCommandEnvelope, receipt: ReceiptPayload): Effect {
  return effect(Topics.events.name, receipt.conversationId, ReceiptStored.create(receipt, contextOf(command)));
}

/** The complete membership after a change, on the compacted memberships topic. */
export function membershipChanged(command: ChatCommandEnvelope, change: MembershipPayload): Effect {
  return effect(Topics.memberships.name, change.conversationId, MembershipChanged.create(change, contextOf(command)));
}

/** A stored announcement, on the compacted announcements topic: the router broadcasts it to every gateway. */
export function announcementPublished(command: ChatCommandEnvelope, announcement: Announcement): Effect {
  return effect(Topics.announcements.name, announcement.announcementId, AnnouncementPublished.create({ announcement }, contextOf(command, announcement.announcementId)));
}
