import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Administrators' announcements (see AnnouncementEntity). */
export class Announcements1796515200000 implements MigrationInterface {
  name = 'Announcements1796515200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE announcements (
        id uuid PRIMARY KEY,
        sender_id uuid NOT NULL,
        client_announcement_id text,
        body text NOT NULL,
        sent_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        tombstoned_at timestamptz,
        CONSTRAINT announcements_client_announcement_id_key UNIQUE (sender_id, client_announcement_id),
        CONSTRAINT announcements_expiry_check CHECK (expires_at > sent_at)
      )`);
    // The rate limit counts a sender's announcements of the last hour.
    await queryRunner.query(`CREATE INDEX announcements_sender_sent_at_idx ON announcements (sender_id, sent_at)`);
    // The janitor looks for expired announcements it has not tombstoned yet.
    await queryRunner.query(`CREATE INDEX announcements_untombstoned_expires_at_idx ON announcements (expires_at) WHERE tombstoned_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE announcements`);
  }
}
