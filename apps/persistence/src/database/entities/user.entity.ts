import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user announced by auth on `chat.users`; only used to check that a user exists. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
