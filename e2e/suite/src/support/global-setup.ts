import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// Jest loads global setup outside its module registry, so the @chat/* alias map does not apply here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ensureKafkaJars, findWorkspaceRoot, SERVICE_DATABASES, startKafkaBroker, startPostgres, type KafkaBrokerHandle, type PostgresHandle } from '../../../../tools/local-infra/src';

export interface SharedInfra {
  broker?: KafkaBrokerHandle;
  postgres?: PostgresHandle;
  tempDir: string;
}

declare global {
  var __E2E_INFRA__: SharedInfra | undefined;
}

/**
 * Starts one broker and one PostgreSQL for the whole run and hands their addresses to the tests
 * through the environment. E2E_KAFKA_BROKERS / E2E_DATABASE_URL_BASE point at external ones instead.
 */
export default async function globalSetup(): Promise<void> {
  const workspaceRoot = findWorkspaceRoot(__dirname);
  const tempDir = await mkdtemp(path.join(tmpdir(), 'chat-e2e-'));
  process.env['E2E_TEMP_DIR'] = tempDir;
  process.env['E2E_WORKSPACE_ROOT'] = workspaceRoot;
  process.env['E2E_JWT_SECRET'] = randomBytes(48).toString('base64url');
  const infra: SharedInfra = { tempDir };
  globalThis.__E2E_INFRA__ = infra;

  const started = Date.now();
  if (!process.env['E2E_KAFKA_BROKERS']) {
    await ensureKafkaJars(workspaceRoot);
    infra.broker = await startKafkaBroker({ dataDir: path.join(tempDir, 'kafka') });
    process.env['E2E_KAFKA_BROKERS'] = infra.broker.brokers;
  }
  if (!process.env['E2E_POSTGRES_PORT']) {
    infra.postgres = await startPostgres({ dataDir: path.join(tempDir, 'postgres'), databases: [...SERVICE_DATABASES] });
    process.env['E2E_POSTGRES_PORT'] = String(infra.postgres.port);
    process.env['E2E_DATABASE_URL_TEMPLATE'] = infra.postgres.urlFor('__database__');
  }
  process.stdout.write(`\n[e2e] infrastructure up in ${Date.now() - started} ms: kafka ${process.env['E2E_KAFKA_BROKERS']}, postgres :${process.env['E2E_POSTGRES_PORT']} (${tempDir})\n`);
}
