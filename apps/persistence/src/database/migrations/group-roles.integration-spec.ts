import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startTestDatabase, type TestDatabase } from '../../../test/test-database';
import { PERSISTENCE_ENTITIES, PERSISTENCE_MIGRATIONS } from '../schema';
import { GroupRoles1796601600000 } from './1796601600000-group-roles';

/** The migration that gave groups roles, run on groups made before it. */
describe('migration GroupRoles (PostgreSQL)', () => {
  let db: TestDatabase;
  let migrated: DataSource;

  beforeAll(async () => {
    const before = PERSISTENCE_MIGRATIONS.slice(0, PERSISTENCE_MIGRATIONS.indexOf(GroupRoles1796601600000));
    db = await startTestDatabase({ migrations: before });
  }, 120_000);

  afterAll(async () => {
    await migrated?.destroy();
    await db?.stop();
  });

  const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()].sort();
  const withCreator = randomUUID();
  const creatorLeft = randomUUID();
  const empty = randomUUID();
  const direct = randomUUID();

  async function insertConversation(id: string, kind: 'direct' | 'group', createdBy: string, members: Array<[string, string]>): Promise<void> {
    await db.dataSource.query(`INSERT INTO conversations (id, kind, title, created_by) VALUES ($1, $2, $3, $4)`, [id, kind, kind === 'group' ? 'Old group' : null, createdBy]);
    for (const [userId, joinedAt] of members) {
      await db.dataSource.query(`INSERT INTO members (conversation_id, user_id, joined_at) VALUES ($1, $2, $3)`, [id, userId, joinedAt]);
    }
  }

  async function roles(conversationId: string): Promise<Record<string, string>> {
    const rows = await migrated.query<Array<{ user_id: string; role: string }>>(`SELECT user_id, role FROM members WHERE conversation_id = $1`, [conversationId]);
    return Object.fromEntries(rows.map((row) => [row.user_id, row.role]));
  }

  it('makes the creator, or else the earliest member, the owner of every existing group', async () => {
    await insertConversation(withCreator, 'group', bob, [
      [alice, '2026-01-01T00:00:00Z'],
      [bob, '2026-01-01T00:00:00Z'],
      [carol, '2026-01-02T00:00:00Z'],
    ]);
    // The creator left; alice and carol joined together, so the first by id (alice) takes over.
    await insertConversation(creatorLeft, 'group', bob, [
      [carol, '2026-01-03T00:00:00Z'],
      [alice, '2026-01-03T00:00:00Z'],
    ]);
    await insertConversation(empty, 'group', bob, []);
    await insertConversation(direct, 'direct', alice, [
      [alice, '2026-01-01T00:00:00Z'],
      [bob, '2026-01-01T00:00:00Z'],
    ]);

    migrated = new DataSource({ type: 'postgres', url: db.url, entities: PERSISTENCE_ENTITIES, migrations: PERSISTENCE_MIGRATIONS, migrationsRun: true, extra: { max: 2 } });
    await migrated.initialize();

    expect(await roles(withCreator)).toEqual({ [alice]: 'member', [bob]: 'owner', [carol]: 'member' });
    expect(await roles(creatorLeft)).toEqual({ [alice]: 'owner', [carol]: 'member' });
    expect(await roles(direct)).toEqual({ [alice]: 'member', [bob]: 'member' });
    expect(await roles(empty)).toEqual({});
  });

  it('allows one owner per group and only the three roles', async () => {
    await expect(migrated.query(`UPDATE members SET role = 'owner' WHERE conversation_id = $1 AND user_id = $2`, [withCreator, alice])).rejects.toThrow(/members_one_owner_idx/);
    await expect(migrated.query(`UPDATE members SET role = 'moderator' WHERE conversation_id = $1 AND user_id = $2`, [withCreator, alice])).rejects.toThrow(/members_role_check/);
  });

  it('can be undone', async () => {
    const runner = migrated.createQueryRunner();
    await new GroupRoles1796601600000().down(runner).finally(() => runner.release());
    const columns = await migrated.query<unknown[]>(`SELECT 1 FROM information_schema.columns WHERE table_name = 'members' AND column_name = 'role'`);
    expect(columns).toEqual([]);
  });
});
