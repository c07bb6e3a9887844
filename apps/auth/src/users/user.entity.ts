import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An account. The password hash never leaves this service: not in responses, logs or records. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** As the user typed it at registration (case preserved, shown to others). */
  @Column('text')
  username!: string;

  /** Lowercased username: uniqueness and login are case-insensitive. */
  @Column('text', { name: 'username_key', unique: true })
  usernameKey!: string;

  /** argon2id PHC string (parameters and salt included). */
  @Column('text', { name: 'password_hash' })
  passwordHash!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  /** Stored role (`chatctl user grant-admin`); ADMIN_USERNAMES makes a user an administrator too. */
  @Column('text', { default: 'user' })
  role!: StoredRole;

  /** Set while an operator has disabled the account (`chatctl user disable`): no login, no refresh. */
  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;
}

export type StoredRole = 'user' | 'admin';
