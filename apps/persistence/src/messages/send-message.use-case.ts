import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChatMessage, EnvelopeOf, SendMessageCommand } from '@chat/protocol';
import { sealField } from '../database/stored-content';
import { CommandRejected } from '../outcomes/command-rejected';
import { toChatMessage } from './chat-message';
import { type Effect, messageStored } from '../outcomes/effects';
import { type ConversationState, loadConversationsForUpdate, requireMember } from '../conversations/conversation-state';

export type SendMessage = EnvelopeOf<typeof SendMessageCommand>;

/** What one send of a run came to: its records, or the reason it was refused. */
export type SendOutcome = Effect[] | CommandRejected;

/**
 * Stores messages with their conversation's next seqs and tells every member (the sender's other
 * devices too). Idempotent per (conversation, sender, clientMsgId): a resend stores nothing and
 * announces the original message again, with its original seq.
 *
 * Consecutive sends of a batch are stored together, in two statements however many there are: one
 * locks their conversations and loads the members (the senders are checked against them here), one
 * looks up resends, numbers the new messages from the locked last_seq (so seqs stay dense), inserts
 * them and moves each conversation's last_seq and each sender's own receipts (you have read what you
 * wrote). It runs after the lock is held, so it sees every change committed before.
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
    // Each idempotency key goes to the database once; a resend later in the same run gets the first's message.
    const candidates = new Map<string, SendMessage>();
    const rejections = new Map<SendMessage, CommandRejected>();
    for (const command of commands) {
      const { senderId, conversationId, clientMsgId } = command.payload;
      try {
        requireMember(states.get(conversationId) ?? null, senderId, conversationId);
      } catch (error) {
        if (!(error instanceof CommandRejected)) throw error;
        rejections.set(command, error);
        continue;
      }
      const key = idempotencyKey(conversationId, senderId, clientMsgId);
      if (!candidates.has(key)) candidates.set(key, command);
    }
    const stored = await storeMessages(manager, [...candidates.values()]);
    return commands.map((command) => {
      const rejection = rejections.get(command);
      if (rejection) return rejection;
      const { senderId, conversationId, clientMsgId } = command.payload;
      const key = idempotencyKey(conversationId, senderId, clientMsgId);
      const { message, inserted } = stored.get(key) as StoredMessage;
      // The first command of its key inserted it; a resend in the same run announces it again.
      const insertedNow = inserted && candidates.get(key) === command;
      return [messageStored(command, message, (states.get(conversationId) as ConversationState).memberIds, insertedNow)];
    });
  }
}

function idempotencyKey(conversationId: string, senderId: string, clientMsgId: string): string {
  return `${conversationId}|${senderId}|${clientMsgId}`;
}

interface StoredMessage {
  message: ChatMessage;
  /** False when the key was stored before (a resend): the original is announced again. */
  inserted: boolean;
}

/** A row of `storeMessages`: a message inserted now or found under its idempotency key. */
interface StoredRow {
  inserted: boolean;
  conversation_id: string;
  seq: string;
  id: string;
  sender_id: string;
  client_msg_id: string;
  body: string;
  body_key_id: string | null;
  kind: ChatMessage['kind'];
  sent_at: Date;
  stored_at: Date;
}

/**
 * Stores the sends (distinct idempotency keys, senders already checked, conversations locked by
 * this transaction) in one round trip: finds those stored before, numbers the others per
 * conversation in their order from its last_seq, inserts them, moves each conversation's last_seq
 * and sets each sender's receipts to their newest message. Returns every message by key. Bodies go
 * in sealed under the current data key, bound to their message id (assigned here, not in SQL, for that).
 */
async function storeMessages(manager: EntityManager, sends: readonly SendMessage[]): Promise<Map<string, StoredMessage>> {
  const result = new Map<string, StoredMessage>();
  if (sends.length === 0) return result;
  const storedAt = new Date();
  const ids = sends.map(() => randomUUID());
  const bodies = sends.map((send, index) => sealField('messageBody', ids[index], send.payload.body));
  const rows = await manager.query<StoredRow[]>(
    `WITH input AS (
       SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $10::text[], $7::text[], $8::timestamptz[])
         AS i(ord, conversation_id, id, sender_id, client_msg_id, body, body_key_id, kind, sent_at)
     ), known AS (
       SELECT i.ord, m.conversation_id, m.seq, m.id, m.sender_id, m.client_msg_id, m.body, m.body_key_id, m.kind, m.sent_at, m.stored_at
         FROM input i
         JOIN messages m ON m.conversation_id = i.conversation_id AND m.sender_id = i.sender_id AND m.client_msg_id = i.client_msg_id
     ), fresh AS (
       SELECT i.conversation_id, c.last_seq + row_number() OVER (PARTITION BY i.conversation_id ORDER BY i.ord) AS seq,
              i.id, i.sender_id, i.client_msg_id, i.body, i.body_key_id, i.kind, i.sent_at, $9::timestamptz AS stored_at
         FROM input i JOIN conversations c ON c.id = i.conversation_id
        WHERE NOT EXISTS (SELECT 1 FROM known k WHERE k.ord = i.ord)
     ), inserted AS (
       INSERT INTO messages (conversation_id, seq, id, sender_id, client_msg_id, body, body_key_id, kind, sent_at, stored_at)
       SELECT conversation_id, seq, id, sender_id, client_msg_id, body, body_key_id, kind, sent_at, stored_at FROM fresh
     ), moved AS (
       UPDATE conversations c SET last_seq = f.last_seq, last_activity_at = $9
         FROM (SELECT conversation_id, max(seq) AS last_seq FROM fresh GROUP BY conversation_id) f
        WHERE c.id = f.conversation_id
     ), own_receipts AS (
       UPDATE members m SET delivered_seq = f.seq, read_seq = f.seq
         FROM (SELECT conversation_id, sender_id, max(seq) AS seq FROM fresh GROUP BY conversation_id, sender_id) f
        WHERE m.conversation_id = f.conversation_id AND m.user_id = f.sender_id
     )
     SELECT true AS inserted, conversation_id, seq, id, sender_id, client_msg_id, body, body_key_id, kind, sent_at, stored_at FROM fresh
     UNION ALL
     SELECT false, conversation_id, seq, id, sender_id, client_msg_id, body, body_key_id, kind, sent_at, stored_at FROM known`,
    [
      sends.map((_, ord) => ord),
      sends.map((send) => send.payload.conversationId),
      ids,
      sends.map((send) => send.payload.senderId),
      sends.map((send) => send.payload.clientMsgId),
      bodies.map((body) => body.value),
      sends.map((send) => send.payload.kind),
      sends.map((send) => new Date(send.occurredAt)),
      storedAt,
      bodies.map((body) => body.keyId),
    ],
  );
  for (const row of rows) {
    result.set(idempotencyKey(row.conversation_id, row.sender_id, row.client_msg_id), {
      inserted: row.inserted,
      message: toChatMessage({
        conversationId: row.conversation_id,
        seq: Number(row.seq),
        id: row.id,
        senderId: row.sender_id,
        clientMsgId: row.client_msg_id,
        body: row.body,
        bodyKeyId: row.body_key_id,
        kind: row.kind,
        sentAt: row.sent_at,
        storedAt: row.stored_at,
      }),
    });
  }
  return result;
}
