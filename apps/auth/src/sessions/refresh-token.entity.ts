import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One refresh token. Only the SHA-256 of its secret is stored, so a database leak yields no usable
 * tokens. Tokens that replace each other form a family (one login session); rotation revokes the
 * used token and points it at its successor, which is how a replayed old token is recognised.
 */
@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'family_id' })
  familyId!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('bytea', { name: 'secret_hash' })
  secretHash!: Buffer;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  /** The token this one was exchanged for; set only by rotation. */
  @Column('uuid', { name: 'replaced_by', nullable: true })
  replacedBy!: string | null;
}
