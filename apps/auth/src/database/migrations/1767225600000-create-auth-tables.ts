import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, refresh tokens and the outbox of user announcements. */
export class CreateAuthTables1767225600000 implements MigrationInterface {
  name = 'CreateAuthTables1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table users (
        id uuid primary key,
        username text not null,
        username_key text not null,
        password_hash text not null,
        created_at timestamptz not null default now(),
        constraint users_username_key_unique unique (username_key),
        constraint users_username_key_lowercase check (username_key = lower(username))
      )`);
    await queryRunner.query(`
      create table refresh_tokens (
        id uuid primary key,
        family_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        secret_hash bytea not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz,
        replaced_by uuid references refresh_tokens (id) on delete set null
      )`);
    // Revoking a family and the expiry sweep both look tokens up by these.
    await queryRunner.query(`create index refresh_tokens_family_idx on refresh_tokens (family_id)`);
    await queryRunner.query(`create index refresh_tokens_expires_at_idx on refresh_tokens (expires_at)`);
    await queryRunner.query(`
      create table outbox (
        id bigint generated always as identity primary key,
        topic text not null,
        message_key text not null,
        envelope jsonb not null,
        created_at timestamptz not null default now(),
        sent_at timestamptz
      )`);
    // The publisher only ever scans what is still pending.
    await queryRunner.query(`create index outbox_pending_idx on outbox (id) where sent_at is null`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table outbox`);
    await queryRunner.query(`drop table refresh_tokens`);
    await queryRunner.query(`drop table users`);
  }
}
