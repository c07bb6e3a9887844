import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The persistence schema: users, conversations, members, messages and the processed-commands log. */
export class InitialSchema1767225600000 implements MigrationInterface {
  name = 'InitialSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('direct', 'group')),
        title text,
        created_by uuid NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversations_title_check CHECK ((kind = 'group') = (title IS NOT NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE members (
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        joined_at timestamptz NOT NULL DEFAULT now(),
        delivered_seq bigint NOT NULL DEFAULT 0,
        read_seq bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (conversation_id, user_id),
        CONSTRAINT members_receipts_check CHECK (read_seq >= 0 AND delivered_seq >= read_seq)
      )`);
    // "My conversations" (list_conversations, membership of a user).
    await queryRunner.query(`CREATE INDEX members_user_idx ON members (user_id)`);
    await queryRunner.query(`
      CREATE TABLE messages (
        conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq bigint NOT NULL CHECK (seq >= 1),
        id uuid NOT NULL,
        sender_id uuid NOT NULL,
        client_msg_id text NOT NULL,
        body text NOT NULL,
        kind text NOT NULL,
        sent_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL,
        PRIMARY KEY (conversation_id, seq),
        CONSTRAINT messages_id_key UNIQUE (id),
        CONSTRAINT messages_client_msg_id_key UNIQUE (conversation_id, sender_id, client_msg_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE processed_commands (
        command_id uuid PRIMARY KEY,
        command_type text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        effects jsonb NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX processed_commands_processed_at_idx ON processed_commands (processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE processed_commands`);
    await queryRunner.query(`DROP TABLE messages`);
    await queryRunner.query(`DROP TABLE members`);
    await queryRunner.query(`DROP TABLE conversations`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
