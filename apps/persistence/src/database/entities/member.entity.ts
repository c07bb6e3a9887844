import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { MemberRole } from '@chat/protocol';
import { bigintAsNumber } from './bigint.transformer';

/**
 * A user's membership of a conversation with their receipt positions. No foreign key to users: a
 * user acting right after registering may not have reached this service's users table yet.
 */
@Entity({ name: 'members' })
@Index('members_user_idx', ['userId'])
export class MemberEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'uuid' })
  conversationId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'joined_at', type: 'timestamptz', default: () => 'now()' })
  joinedAt!: Date;

  /** In a group: one owner, admins, members (a unique index allows one owner). Always `member` in a direct conversation. */
  @Column({ type: 'text', default: 'member' })
  role!: MemberRole;

  /** Every message up to this seq reached a device of the user. Only moves forward. */
  @Column({ name: 'delivered_seq', type: 'bigint', default: 0, transformer: bigintAsNumber })
  deliveredSeq!: number;

  /** Every message up to this seq was shown to the user. Only moves forward; never above delivered_seq. */
  @Column({ name: 'read_seq', type: 'bigint', default: 0, transformer: bigintAsNumber })
  readSeq!: number;
}
