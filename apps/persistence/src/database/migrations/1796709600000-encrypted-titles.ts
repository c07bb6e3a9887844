import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group titles encrypted at rest like message bodies: the id of the data key beside the title.
 * Existing titles stay plaintext (NULL key id) and readable until the re-encryption command seals them.
 */
export class EncryptedTitles1796709600000 implements MigrationInterface {
  name = 'EncryptedTitles1796709600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE conversations ADD COLUMN title_key_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE conversations DROP COLUMN title_key_id`);
  }
}
