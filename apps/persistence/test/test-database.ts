import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { startPostgres } from '@chat/local-infra';
import { PERSISTENCE_ENTITIES, PERSISTENCE_MIGRATIONS } from '../src/database/schema';

export interface TestDatabase {
  dataSource: DataSource;
  url: string;
  /** Stops only the server, as an outage would; the DataSource stays as it is. */
  stopServer(): Promise<void>;
  stop(): Promise<void>;
}

const DATABASE = 'chat_persistence';

/**
 * A throwaway PostgreSQL in a temp dir on a free port, started by the workspace's one launcher
 * (tools/local-infra: as root it runs as the OS user `postgres` and makes the way to the binaries
 * and the data dir traversable), with this service's migrations applied through TypeORM exactly as
 * at service start (or only the first of them, `migrations`, to test the next one on older data).
 */
export async function startTestDatabase({ migrations = PERSISTENCE_MIGRATIONS }: { migrations?: Array<(typeof PERSISTENCE_MIGRATIONS)[number]> } = {}): Promise<TestDatabase> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'persistence-pg-'));
  const postgres = await startPostgres({ dataDir: path.join(dir, 'data'), databases: [DATABASE] });
  const url = postgres.urlFor(DATABASE);
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: PERSISTENCE_ENTITIES,
    migrations,
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
