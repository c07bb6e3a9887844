import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roles in groups: every member gets a role (owner, admin, member). Each existing group gets one
 * owner: its creator while still a member, else its earliest member (by join time, then id, the
 * order members are listed in). A group nobody is left in has none. Also the index the quota of
 * groups per creator and hour counts with.
 */
export class GroupRoles1796601600000 implements MigrationInterface {
  name = 'GroupRoles1796601600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE members
        ADD COLUMN role text NOT NULL DEFAULT 'member',
        ADD CONSTRAINT members_role_check CHECK (role IN ('owner', 'admin', 'member'))`);
    await queryRunner.query(`
      UPDATE members m SET role = 'owner'
        FROM (SELECT DISTINCT ON (c.id) c.id AS conversation_id, candidate.user_id
                FROM conversations c JOIN members candidate ON candidate.conversation_id = c.id
               WHERE c.kind = 'group'
               ORDER BY c.id, (candidate.user_id = c.created_by) DESC, candidate.joined_at, candidate.user_id) owner
       WHERE m.conversation_id = owner.conversation_id AND m.user_id = owner.user_id`);
    // One owner per group, whatever a bug or a race would try.
    await queryRunner.query(`CREATE UNIQUE INDEX members_one_owner_idx ON members (conversation_id) WHERE role = 'owner'`);
    // The groups a user created in the last hour (GROUPS_PER_USER_PER_HOUR).
    await queryRunner.query(`CREATE INDEX conversations_groups_by_creator_idx ON conversations (created_by, created_at) WHERE kind = 'group'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX conversations_groups_by_creator_idx`);
    await queryRunner.query(`DROP INDEX members_one_owner_idx`);
    await queryRunner.query(`ALTER TABLE members DROP COLUMN role`);
  }
}
