import { randomUUID } from 'node:crypto';
import { TransientError } from '@chat/kafka';
import { commands, type Harness, startHarness } from '../../test/harness';
import { UpsertUsersUseCase } from './upsert-users.use-case';

describe('users and database outages (PostgreSQL)', () => {
  let h: Harness;
  let upsert: UpsertUsersUseCase;

  beforeAll(async () => {
    h = await startHarness();
    upsert = new UpsertUsersUseCase(h.dataSource);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  async function usernameOf(id: string): Promise<string | undefined> {
    const rows = await h.dataSource.query<Array<{ username: string }>>('select username from users where id = $1', [id]);
    return rows[0]?.username;
  }

  it('records announced users; the latest announcement of a user wins, within a batch and across batches', async () => {
    const id = randomUUID();
    await upsert.execute([
      { userId: id, username: 'first' },
      { userId: id, username: 'second' },
    ]);
    expect(await usernameOf(id)).toBe('second');
    await upsert.execute([{ userId: id, username: 'third' }]);
    expect(await usernameOf(id)).toBe('third');
    await upsert.execute([]);
  });

  it('turns a database outage into TransientError, so batches are retried rather than dead-lettered', async () => {
    const [alice] = await h.users(1);
    await h.db.stopServer();
    await expect(upsert.execute([{ userId: randomUUID(), username: 'late' }])).rejects.toBeInstanceOf(TransientError);
    await expect(h.processor.process([commands.list(alice)])).rejects.toBeInstanceOf(TransientError);
  });
});
