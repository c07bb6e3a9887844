import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import type { MessageKind } from '@chat/protocol';
import { bigintAsNumber } from './bigint.transformer';

/** A stored message. The primary key (conversation_id, seq) is also the index for history and sync. */
@Entity({ name: 'messages' })
@Unique('messages_id_key', ['id'])
@Unique('messages_client_msg_id_key', ['conversationId', 'senderId', 'clientMsgId'])
export class MessageEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'uuid' })
  conversationId!: string;

  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  seq!: number;

  @Column({ type: 'uuid' })
  id!: string;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  /** The sender's idempotency key: a resend with the same one stores nothing new. */
  @Column({ name: 'client_msg_id', type: 'text' })
  clientMsgId!: string;

  /** Sealed under `bodyKeyId` (AES-256-GCM, see stored-content.ts); plaintext when that is null (rows from before encryption). */
  @Column({ type: 'text' })
  body!: string;

  /** The data key that sealed `body`; null: a plaintext row written before encryption. */
  @Column({ name: 'body_key_id', type: 'text', nullable: true })
  bodyKeyId!: string | null;

  @Column({ type: 'text' })
  kind!: MessageKind;

  /** When the gateway received the send. */
  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;

  @Column({ name: 'stored_at', type: 'timestamptz' })
  storedAt!: Date;
}
