import { randomBytes } from 'node:crypto';
import { DataKeyring } from '@chat/database';
import { answerTo, commands, type Harness, startHarness } from '../../test/harness';
import { installDataKeyring, SEALED_FIELDS } from '../database/stored-content';
import { countByKey } from './reencrypt';
import { ReencryptExit, runReencryptCommand } from './reencrypt.command';

/*
 * `main.js reencrypt` as an operator runs it, against PostgreSQL: its exit status tells whether every
 * row is now under the current key (0) or rows under another key remain (75).
 */
describe('main.js reencrypt (PostgreSQL)', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  let h: Harness;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness({ DATA_ENCRYPTION_KEYS: `k1:${k1.toString('base64')}`, DATA_ENCRYPTION_KEY_ID: 'k1' });
    // The rotation's second step: k2 is current; the command reads the same variables as the service.
    env = { DATABASE_URL: h.db.url, DATA_ENCRYPTION_KEYS: `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`, DATA_ENCRYPTION_KEY_ID: 'k2', LOG_LEVEL: 'error' };
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it('exits 75 while rows under another key remain after its run, and 0 once a run leaves every row under the current key', async () => {
    const [alice, bob] = await h.users(2);
    const create = commands.createGroup(alice, 'Rotation', [bob]);
    const conversationId = answerTo(await h.run(create), create, 'conversation').conversationId;
    for (const n of [1, 2, 3]) await h.run(commands.send(alice, conversationId, `m${n}`, `message ${n}`));
    installDataKeyring(new DataKeyring(new Map([['k1', k1], ['k2', k2]]), 'k2'));
    const [kept] = await h.dataSource.query<Array<{ id: string }>>('SELECT id FROM messages WHERE conversation_id = $1 AND seq = 2', [conversationId]);

    // An instance still sealing with k1 during the run, as the database sees it: whatever the run
    // writes to that row, the row ends up under k1 again.
    await h.dataSource.query(`CREATE FUNCTION keep_under_k1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := OLD.body; NEW.body_key_id := OLD.body_key_id; RETURN NEW; END $$`);
    await h.dataSource.query(`CREATE TRIGGER keep_under_k1 BEFORE UPDATE ON messages FOR EACH ROW WHEN (OLD.id = '${kept.id}'::uuid) EXECUTE FUNCTION keep_under_k1()`);
    await expect(runReencryptCommand([], env)).resolves.toBe(ReencryptExit.rowsRemain);
    expect(await countByKey(h.dataSource, SEALED_FIELDS.messageBody)).toEqual({ k1: 1, k2: expect.any(Number) });

    // The rollout finished (nothing writes under k1 any more): the next run moves the rest.
    await h.dataSource.query('DROP TRIGGER keep_under_k1 ON messages');
    await h.dataSource.query('DROP FUNCTION keep_under_k1()');
    await expect(runReencryptCommand(['--batch', '2'], env)).resolves.toBe(ReencryptExit.done);
    expect(await countByKey(h.dataSource, SEALED_FIELDS.messageBody)).toEqual({ k2: expect.any(Number) });
    // Every other column too (announcements: none in this database).
    for (const spec of Object.values(SEALED_FIELDS)) expect(Object.keys(await countByKey(h.dataSource, spec)).filter((keyId) => keyId !== 'k2')).toEqual([]);
  });
});
