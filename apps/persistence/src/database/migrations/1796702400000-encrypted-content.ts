import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * User content encrypted at rest: beside each encrypted column, the id of the data key that sealed
 * it. Existing rows keep their plaintext with a NULL key id and stay readable; the re-encryption
 * command (`main.js reencrypt`) seals them. processed_commands.effects stays jsonb: a sealed row
 * holds one JSON string there (the ciphertext) instead of the array of records.
 */
export class EncryptedContent1796702400000 implements MigrationInterface {
  name = 'EncryptedContent1796702400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN body_key_id text`);
    await queryRunner.query(`ALTER TABLE announcements ADD COLUMN body_key_id text`);
    await queryRunner.query(`ALTER TABLE processed_commands ADD COLUMN effects_key_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Sealed rows cannot go back to plaintext here (no keys in a migration): run down only on data written before encryption.
    await queryRunner.query(`ALTER TABLE processed_commands DROP COLUMN effects_key_id`);
    await queryRunner.query(`ALTER TABLE announcements DROP COLUMN body_key_id`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN body_key_id`);
  }
}
