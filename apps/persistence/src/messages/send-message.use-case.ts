import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChatMessage, EnvelopeOf, SendMessageCommand } from '@chat/protocol';
import { CommandRejected } from '../commands/command-rejected';
import { type Effect, messageStored } from '../commands/effects';
import { loadConversationsForUpdate, requireMember } from '../conversations/conversation-state';

export type SendMessage = EnvelopeOf<typeof SendMessageCommand>;

/** What one send of a run came to: its records, or the reason it was refused. */
export type SendOutcome = Effect[] | CommandRejected;

/**
 * Stores messages with their conversation's next seqs and tells every member (the sender's other
 * devices too). Idempotent per (conversation, sender, clientMsgId): a resend stores nothing and
 * announces the original message again, with its original seq.
 *
 * Consecutive sends of a batch are stored together, in four statements however many there are:
 * lock their conversations, load the members, look up resends, then one statement inserting every
 * new message and moving each conversation's last_seq and each sender's own receipts (you have
 * read what you wrote). Seqs are counted here from the locked last_seq, so they stay dense.
 */
@Injectable()
export class SendMessageUseCase {
  async execute(command: SendMessage, manager: EntityManager): Promise<Effect[]> {
    const [outcome] = await this.executeMany([command], manager);
    if (outcome instanceof CommandRejected) throw outcome;
    return outcome;
  }

  /** Applies the sends in order; one outcome per command, in the same order. */
  async executeMany(commands: readonly SendMessage[], manager: EntityManager): Promise<SendOutcome[]> {
    const states = await loadConversationsForUpdate(manager, [...new Set(commands.map((command) => command.payload.conversationId))]);
    const known = await findStored(manager, commands);
    const memberIds = new Map<string, string[]>();
    const lastSeqs = new Map<string, number>();
    const inserted: ChatMessage[] = [];
    const storedAt = Date.now();
    const outcomes: SendOutcome[] = [];
    for (const command of commands) {
      const { senderId, conversationId, clientMsgId, body, kind } = command.payload;
      let state;
      try {
        state = requireMember(states.get(conversationId) ?? null, senderId, conversationId);
      } catch (error) {
        if (!(error instanceof CommandRejected)) throw error;
        outcomes.push(error);
        continue;
      }
      let recipients = memberIds.get(conversationId);
      if (!recipients) {
        recipients = state.memberIds;
        memberIds.set(conversationId, recipients);
      }
      const key = idempotencyKey(conversationId, senderId, clientMsgId);
      const original = known.get(key);
      if (original) {
        outcomes.push([messageStored(command, original, recipients, false)]);
        continue;
      }
      const seq = (lastSeqs.get(conversationId) ?? state.conversation.lastSeq) + 1;
      lastSeqs.set(conversationId, seq);
      const message: ChatMessage = { conversationId, seq, messageId: randomUUID(), senderId, clientMsgId, body, kind, sentAt: command.occurredAt, storedAt };
      // A resend later in the same run finds this one.
      known.set(key, message);
      inserted.push(message);
      outcomes.push([messageStored(command, message, recipients, true)]);
    }
    await insertMessages(manager, inserted, lastSeqs, storedAt);
    return outcomes;
  }
}

function idempotencyKey(conversationId: string, senderId: string, clientMsgId: string): string {
  return `${conversationId}|${senderId}|${clientMsgId}`;
}

interface StoredRow {
  conversation_id: string;
  seq: string;
  id: string;
  sender_id: string;
  client_msg_id: string;
  body: string;
  kind: ChatMessage['kind'];
  sent_at: Date;
  stored_at: Date;
}

/** The messages already stored under the sends' idempotency keys, in one statement. */
async function findStored(manager: EntityManager, commands: readonly SendMessage[]): Promise<Map<string, ChatMessage>> {
  const rows = await manager.query<StoredRow[]>(
    `SELECT m.conversation_id, m.seq, m.id, m.sender_id, m.client_msg_id, m.body, m.kind, m.sent_at, m.stored_at
       FROM messages m
       JOIN unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(conversation_id, sender_id, client_msg_id)
         ON m.conversation_id = k.conversation_id AND m.sender_id = k.sender_id AND m.client_msg_id = k.client_msg_id`,
    [commands.map((c) => c.payload.conversationId), commands.map((c) => c.payload.senderId), commands.map((c) => c.payload.clientMsgId)],
  );
  const found = new Map<string, ChatMessage>();
  for (const row of rows) {
    found.set(idempotencyKey(row.conversation_id, row.sender_id, row.client_msg_id), {
      conversationId: row.conversation_id,
      seq: Number(row.seq),
      messageId: row.id,
      senderId: row.sender_id,
      clientMsgId: row.client_msg_id,
      body: row.body,
      kind: row.kind,
      sentAt: row.sent_at.getTime(),
      storedAt: row.stored_at.getTime(),
    });
  }
  return found;
}

/**
 * Inserts the new messages, moves each conversation's last_seq (its row is locked by this
 * transaction) and sets each sender's receipts to their newest message: one round trip.
 */
async function insertMessages(manager: EntityManager, messages: readonly ChatMessage[], lastSeqs: ReadonlyMap<string, number>, storedAt: number): Promise<void> {
  if (messages.length === 0) return;
  const ownNewest = new Map<string, ChatMessage>();
  for (const message of messages) ownNewest.set(`${message.conversationId}|${message.senderId}`, message);
  const receipts = [...ownNewest.values()];
  await manager.query(
    `WITH stored AS (
       INSERT INTO messages (conversation_id, seq, id, sender_id, client_msg_id, body, kind, sent_at, stored_at)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])
     ), moved AS (
       UPDATE conversations c SET last_seq = v.last_seq, last_activity_at = $12
         FROM unnest($10::uuid[], $11::bigint[]) AS v(id, last_seq)
        WHERE c.id = v.id
     )
     UPDATE members m SET delivered_seq = v.seq, read_seq = v.seq
       FROM unnest($13::uuid[], $14::uuid[], $15::bigint[]) AS v(conversation_id, user_id, seq)
      WHERE m.conversation_id = v.conversation_id AND m.user_id = v.user_id`,
    [
      messages.map((m) => m.conversationId),
      messages.map((m) => m.seq),
      messages.map((m) => m.messageId),
      messages.map((m) => m.senderId),
      messages.map((m) => m.clientMsgId),
      messages.map((m) => m.body),
      messages.map((m) => m.kind),
      messages.map((m) => new Date(m.sentAt)),
      messages.map((m) => new Date(m.storedAt)),
      [...lastSeqs.keys()],
      [...lastSeqs.values()],
      new Date(storedAt),
      receipts.map((m) => m.conversationId),
      receipts.map((m) => m.senderId),
      receipts.map((m) => m.seq),
    ],
  );
}
