import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ConversationKind } from '@chat/protocol';
import { bigintAsNumber } from './bigint.transformer';

@Entity({ name: 'conversations' })
export class ConversationEntity {
  /** Random for groups; directConversationId(a, b) for direct conversations. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  kind!: ConversationKind;

  /**
   * Groups only. Stored sealed under `titleKeyId` (stored-content.ts); ConversationState opens it
   * when a conversation is loaded, so in memory it is the plaintext with `titleKeyId` null.
   */
  @Column({ type: 'text', nullable: true })
  title!: string | null;

  /** The data key that sealed `title`; null: no title, a plaintext row from before encryption, or opened in memory. */
  @Column({ name: 'title_key_id', type: 'text', nullable: true })
  titleKeyId!: string | null;

  /** Who created it: for groups, the first owner, and whose quota of groups per hour it counts against. */
  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  /** Seq of the newest message; the next message gets last_seq + 1. */
  @Column({ name: 'last_seq', type: 'bigint', default: 0, transformer: bigintAsNumber })
  lastSeq!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /**
   * Creation or newest message: orders a user's conversation list. Not indexed on purpose: it
   * changes with every message, and an index on it would rule out PostgreSQL's cheap (HOT) updates.
   */
  @Column({ name: 'last_activity_at', type: 'timestamptz', default: () => 'now()' })
  lastActivityAt!: Date;
}
