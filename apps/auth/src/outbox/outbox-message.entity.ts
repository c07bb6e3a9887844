import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Envelope } from '@chat/protocol';

/**
 * A Kafka record written in the same transaction as the change it announces, then produced by the
 * OutboxPublisher. The envelope is stored whole, so a re-publication carries the same record id.
 */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  /** Insertion order, which is publication order. A bigint column arrives as a string. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('text')
  topic!: string;

  @Column('text', { name: 'message_key' })
  messageKey!: string;

  @Column('jsonb')
  envelope!: Envelope;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt!: Date | null;
}
