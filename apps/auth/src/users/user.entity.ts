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
}
