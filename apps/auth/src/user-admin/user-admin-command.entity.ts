import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { UserAdminCompletedPayload } from '@chat/protocol';

/**
 * An operator's command auth applied (`chat.user-admin`), with its answer: committed with the change,
 * so a command delivered again is answered the same way and not applied twice. Also the audit trail
 * of who changed which account when.
 */
@Entity({ name: 'user_admin_commands' })
export class UserAdminCommandEntity {
  @PrimaryColumn('uuid', { name: 'command_id' })
  commandId!: string;

  @Column('text')
  action!: string;

  @Column('text')
  username!: string;

  @Column('text', { name: 'requested_by' })
  requestedBy!: string;

  @Column('jsonb')
  result!: UserAdminCompletedPayload;

  @Column('timestamptz', { name: 'processed_at' })
  processedAt!: Date;
}
