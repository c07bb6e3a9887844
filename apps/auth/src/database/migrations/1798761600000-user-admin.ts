import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What operators change through `chat.user-admin` (chatctl): a stored role and a disabled flag per
 * user, and the commands applied, so a command delivered again is answered without applying it twice.
 */
export class UserAdmin1798761600000 implements MigrationInterface {
  name = 'UserAdmin1798761600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`alter table users add column role text not null default 'user' constraint users_role_check check (role in ('user', 'admin'))`);
    await queryRunner.query(`alter table users add column disabled_at timestamptz`);
    await queryRunner.query(`
      create table user_admin_commands (
        command_id uuid primary key,
        action text not null,
        username text not null,
        requested_by text not null,
        result jsonb not null,
        processed_at timestamptz not null default now()
      )`);
    // Kept: operators' commands are few, and the table doubles as their audit trail (who, what, when).
    await queryRunner.query(`create index user_admin_commands_username_idx on user_admin_commands (lower(username), processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table user_admin_commands`);
    await queryRunner.query(`alter table users drop column disabled_at`);
    await queryRunner.query(`alter table users drop column role`);
  }
}
