import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * An administrator's announcement. `clientAnnouncementId` is the sender's idempotency key: a retry
 * with the same one stores nothing new. `tombstonedAt` is set once the expired announcement was
 * tombstoned on `chat.announcements` (the row stays: what was announced, by whom, when).
 */
@Entity({ name: 'announcements' })
@Unique('announcements_client_announcement_id_key', ['senderId', 'clientAnnouncementId'])
@Index('announcements_sender_sent_at_idx', ['senderId', 'sentAt'])
export class AnnouncementEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'sender_id', type: 'uuid' })
  senderId!: string;

  @Column({ name: 'client_announcement_id', type: 'text', nullable: true })
  clientAnnouncementId!: string | null;

  /** Sealed under `bodyKeyId` (AES-256-GCM, see stored-content.ts); plaintext when that is null (rows from before encryption). */
  @Column({ type: 'text' })
  body!: string;

  /** The data key that sealed `body`; null: a plaintext row written before encryption. */
  @Column({ name: 'body_key_id', type: 'text', nullable: true })
  bodyKeyId!: string | null;

  /** When the gateway received the `announce`. */
  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'tombstoned_at', type: 'timestamptz', nullable: true })
  tombstonedAt!: Date | null;
}
