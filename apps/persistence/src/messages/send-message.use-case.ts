import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, SendMessageCommand } from '@chat/protocol';
import { MessageEntity } from '../database/entities/message.entity';
import { type Effect, messageStored } from '../commands/effects';
import { loadConversationForUpdate, requireMember } from '../conversations/conversation-state';
import { toChatMessage } from './chat-message';

type SendMessage = EnvelopeOf<typeof SendMessageCommand>;

/**
 * Stores a message with the conversation's next seq and tells every member (the sender's other
 * devices too). Idempotent per (conversation, sender, clientMsgId): a resend stores nothing and
 * announces the original message again, with its original seq.
 */
@Injectable()
export class SendMessageUseCase {
  async execute(command: SendMessage, manager: EntityManager): Promise<Effect[]> {
    const { senderId, conversationId, clientMsgId } = command.payload;
    const state = requireMember(await loadConversationForUpdate(manager, conversationId), senderId, conversationId);
    const existing = await manager.findOneBy(MessageEntity, { conversationId, senderId, clientMsgId });
    const stored = existing ?? (await this.store(command, manager));
    return [messageStored(command, toChatMessage(stored), state.memberIds, existing === null)];
  }

  private async store(command: SendMessage, manager: EntityManager): Promise<MessageEntity> {
    const { senderId, conversationId, clientMsgId, body, kind } = command.payload;
    const id = randomUUID();
    const sentAt = new Date(command.occurredAt);
    const storedAt = new Date();
    // One round trip: take the next seq (the conversation row is already locked by this transaction),
    // insert the message, and move the sender's own receipts to it (you have read what you wrote).
    const rows = await manager.query<Array<{ seq: string }>>(
      `WITH next AS (
         UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = $8 WHERE id = $1 RETURNING last_seq
       ), stored AS (
         INSERT INTO messages (conversation_id, seq, id, sender_id, client_msg_id, body, kind, sent_at, stored_at)
         SELECT $1, next.last_seq, $2, $3, $4, $5, $6, $7, $8 FROM next
         RETURNING seq
       ), own_receipts AS (
         UPDATE members SET delivered_seq = stored.seq, read_seq = stored.seq FROM stored WHERE conversation_id = $1 AND user_id = $3
       )
       SELECT seq FROM stored`,
      [conversationId, id, senderId, clientMsgId, body, kind, sentAt, storedAt],
    );
    const seq = rows[0]?.seq;
    if (seq === undefined) throw new Error(`conversation ${conversationId} vanished while storing a message`);
    return manager.create(MessageEntity, { conversationId, seq: Number(seq), id, senderId, clientMsgId, body, kind, sentAt, storedAt });
  }
}
