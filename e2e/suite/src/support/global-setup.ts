import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
// First: lets the launcher's @chat/* imports resolve outside jest's module registry.
import './workspace-aliases';
// Node built-ins only, so loadable before anything else of the launcher.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { generateJwtKeys } from '../../../../tools/local-infra/src/jwt-keys';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { findWorkspaceRoot, type Infra, startInfra } from '../../../../tools/local-infra/src';

export interface SharedInfra {
  infra: Infra;
  tempDir: string;
}

declare global {
  var __E2E_INFRA__: SharedInfra | undefined;
}

/**
 * Starts one broker and one PostgreSQL for the whole run (the launcher of @chat/local-infra, the
 * broker first) and hands their addresses to the tests through the environment.
 * E2E_KAFKA_BROKERS / E2E_POSTGRES_PORT (with E2E_DATABASE_URL_TEMPLATE) point at external ones instead.
 */
export default async function globalSetup(): Promise<void> {
  const workspaceRoot = findWorkspaceRoot(__dirname);
  const tempDir = await mkdtemp(path.join(tmpdir(), 'chat-e2e-'));
  process.env['E2E_TEMP_DIR'] = tempDir;
  process.env['E2E_WORKSPACE_ROOT'] = workspaceRoot;
  process.env['E2E_JWT_KEYS'] = JSON.stringify(generateJwtKeys('e2e-1'));

  const started = Date.now();
  const externalKafka = process.env['E2E_KAFKA_BROKERS'];
  const externalPostgres = Boolean(process.env['E2E_POSTGRES_PORT']);
  const infra = await startInfra({
    workspaceRoot,
    // SASL_SSL with a principal per service and the ACLs, as in production, unless asked for plaintext.
    kafka: externalKafka ? { external: externalKafka } : { start: { dataDir: path.join(tempDir, 'kafka'), secure: process.env['E2E_KAFKA_SECURITY_PROTOCOL'] !== 'PLAINTEXT' } },
    postgres: externalPostgres
      ? { external: (database) => (process.env['E2E_DATABASE_URL_TEMPLATE'] ?? '').replace('__database__', database) }
      : { start: { dataDir: path.join(tempDir, 'postgres') } },
    concurrently: false,
  });
  globalThis.__E2E_INFRA__ = { infra, tempDir };
  process.env['E2E_KAFKA_BROKERS'] = infra.kafkaBrokers;
  if (infra.kafkaSecurity) {
    // The services get their own principals from it (chat-suite); everything else the tests run in
    // or spawn from this process (observers, chatctl, workers, loadgen) logs in as the admin.
    process.env['E2E_KAFKA_SECURITY'] = JSON.stringify(infra.kafkaSecurity);
    Object.assign(process.env, infra.kafkaClientEnv('admin'));
  }
  if (infra.postgres) {
    process.env['E2E_POSTGRES_PORT'] = String(infra.postgres.port);
    process.env['E2E_DATABASE_URL_TEMPLATE'] = infra.postgres.urlFor('__database__');
  }
  process.stdout.write(`\n[e2e] infrastructure up in ${Date.now() - started} ms: kafka ${process.env['E2E_KAFKA_BROKERS']}${infra.kafkaSecurity ? ' (SASL_SSL)' : ''}, postgres :${process.env['E2E_POSTGRES_PORT']} (${tempDir})\n`);
}
