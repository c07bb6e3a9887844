import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Effect } from '../../outcomes/effects';

/**
 * A state-changing command already applied, with the records it produced. Kafka delivers a command
 * again when its offset was not committed (a crash or a failed produce after the database commit);
 * the replay then re-publishes these records instead of applying the command a second time.
 * Rows older than the commands topic's retention can never be replayed and are pruned.
 */
@Entity({ name: 'processed_commands' })
export class ProcessedCommandEntity {
  /** The command envelope's id. */
  @PrimaryColumn({ name: 'command_id', type: 'uuid' })
  commandId!: string;

  @Column({ name: 'command_type', type: 'text' })
  commandType!: string;

  @Index('processed_commands_processed_at_idx')
  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;

  /**
   * The records, sealed under `effectsKeyId` (they hold announcement bodies and group titles): a
   * JSON string of ciphertext (see stored-content.ts). A row from before encryption (null key id)
   * holds the array of records itself.
   */
  @Column({ type: 'jsonb' })
  effects!: Effect[] | string;

  @Column({ name: 'effects_key_id', type: 'text', nullable: true })
  effectsKeyId!: string | null;
}
