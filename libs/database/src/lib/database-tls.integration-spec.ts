import { chmod, chown, copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TlsOptions } from 'node:tls';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { type BrokerTls, ensureBrokerTls, type PostgresHandle, startPostgres } from '@chat/local-infra';
import { ReadinessRegistry } from '@chat/service-kit';
import { connectPostgres, DatabaseTlsRefusedError, type DatabaseTlsEnv, postgresConnection } from './database-tls';
import { DatabaseModule } from './database.module';

/*
 * DATABASE_SSL_MODE / DATABASE_SSL_CA_FILE against a real PostgreSQL with ssl=on: a CA and a server
 * certificate for 127.0.0.1/localhost made by openssl (the launcher's, as for the local broker), and
 * a pg_hba.conf that lets the test database in over TLS only (hostssl). Connections are made exactly
 * as DatabaseModule makes them: postgresConnection() into a TypeORM DataSource (url and ssl),
 * initialized by connectPostgres(); and DatabaseModule itself is started once against the wrong CA.
 */

const DATABASE = 'chat_tls';

let dir: string;
let postgres: PostgresHandle;
let rightCa: BrokerTls;
let wrongCa: BrokerTls;

/** The server's TLS on, and the test database reachable over TLS only (the launcher's own checks use `postgres`). */
async function enableTls(handle: PostgresHandle, tls: BrokerTls): Promise<void> {
  // PostgreSQL refuses a key file others can read; it runs as the data dir's owner (`postgres` when we are root).
  const owner = await stat(handle.dataDir);
  const keystore = path.join(handle.dataDir, 'server.pem');
  await copyFile(tls.keystoreFile, keystore);
  await chown(keystore, owner.uid, owner.gid);
  await chmod(keystore, 0o600);
  await writeFile(
    path.join(handle.dataDir, 'pg_hba.conf'),
    ['host    postgres  all  127.0.0.1/32  scram-sha-256', `hostssl ${DATABASE}  all  127.0.0.1/32  scram-sha-256`, ''].join('\n'),
  );
  // The key and the chain are in one PEM file: the server reads its key and its certificates from it.
  const admin = new DataSource({ type: 'postgres', url: handle.urlFor('postgres') });
  await admin.initialize();
  try {
    await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${keystore}'`);
    await admin.query(`ALTER SYSTEM SET ssl_key_file = '${keystore}'`);
    await admin.query(`ALTER SYSTEM SET ssl = on`);
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.destroy();
  }
}

/** Connects to the test database as DatabaseModule would with `env`; the caller destroys it. */
async function connect(env: DatabaseTlsEnv, url = postgres.urlFor(DATABASE)): Promise<DataSource> {
  const connection = postgresConnection(url, env);
  return connectPostgres(new DataSource({ type: 'postgres', url: connection.url, ssl: connection.ssl as boolean | TlsOptions, extra: { connectionTimeoutMillis: 10_000 } }), connection);
}

/** What the server says about this very connection. */
async function tlsOfConnection(dataSource: DataSource): Promise<{ serverSsl: string; ssl: boolean; version: string | null }> {
  const [{ ssl: serverSsl }] = await dataSource.query<Array<{ ssl: string }>>('SHOW ssl');
  const [row] = await dataSource.query<Array<{ ssl: boolean; version: string | null }>>('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  return { serverSsl, ssl: row.ssl, version: row.version };
}

async function refusal(env: DatabaseTlsEnv, url?: string): Promise<Error> {
  let dataSource: DataSource | undefined;
  try {
    dataSource = await connect(env, url);
  } catch (error) {
    return error as Error;
  } finally {
    await dataSource?.destroy();
  }
  throw new Error(`connecting with ${JSON.stringify(env)} succeeded; it should have been refused`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'database-tls-'));
  // Two CAs, each with a server certificate for 127.0.0.1 and localhost: the server uses the first.
  [rightCa, wrongCa] = await Promise.all([ensureBrokerTls(path.join(dir, 'right-tls')), ensureBrokerTls(path.join(dir, 'wrong-tls'))]);
  postgres = await startPostgres({ dataDir: path.join(dir, 'data'), databases: [DATABASE] });
  await enableTls(postgres, rightCa);
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL over TLS (DATABASE_SSL_MODE), against a real server', () => {
  it('verify-full with the server CA connects, encrypted', async () => {
    const dataSource = await connect({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: rightCa.caFile });
    try {
      expect(await tlsOfConnection(dataSource)).toEqual({ serverSsl: 'on', ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) });
    } finally {
      await dataSource.destroy();
    }
  });

  it('verify-full checks the host name too: localhost is in the certificate', async () => {
    const dataSource = await connect({}, `${postgres.urlFor(DATABASE).replace('127.0.0.1', 'localhost')}?sslmode=verify-full&sslrootcert=${encodeURIComponent(rightCa.caFile)}`);
    try {
      expect((await tlsOfConnection(dataSource)).ssl).toBe(true);
    } finally {
      await dataSource.destroy();
    }
  });

  it('verify-full with another CA is refused: the server certificate does not chain to it, and the error names DATABASE_SSL_CA_FILE', async () => {
    const error = await refusal({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: wrongCa.caFile });
    expect(error).toBeInstanceOf(DatabaseTlsRefusedError);
    // Node's own words stay, then the variables and what to check.
    expect(error.message).toMatch(/self[- ]signed certificate in certificate chain/);
    expect(error.message).toContain(`PostgreSQL refused by DATABASE_SSL_MODE=verify-full: `);
    expect(error.message).toContain(`does not chain to a CA this client trusts (DATABASE_SSL_CA_FILE=${wrongCa.caFile}): DATABASE_SSL_CA_FILE must be the PEM file of the CA that signed the PostgreSQL server's certificate`);
    expect((error.cause as Error).message).toMatch(/^self[- ]signed certificate in certificate chain$/);
    const verifyCa = await refusal({ DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA_FILE: wrongCa.caFile });
    expect(verifyCa.message).toMatch(/^PostgreSQL refused by DATABASE_SSL_MODE=verify-ca: self[- ]signed certificate in certificate chain .*DATABASE_SSL_CA_FILE=/);
  });

  it('verify-full without a CA is refused, and the error says DATABASE_SSL_CA_FILE is not set', async () => {
    const error = await refusal({ DATABASE_SSL_MODE: 'verify-full' });
    expect(error.message).toMatch(/self[- ]signed certificate in certificate chain/);
    expect(error.message).toContain("DATABASE_SSL_CA_FILE is not set, so only Node.js's public CAs are trusted");
  });

  it('stops DatabaseModule at start, at once rather than after its retries, with the error naming DATABASE_SSL_CA_FILE', async () => {
    // What a service's ServiceKitModule provides to DatabaseModule.
    @Global()
    @Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
    class Readiness {}
    // TypeOrmModule logs "Unable to connect to the database. Retrying (n)..." before each retry.
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const started = Test.createTestingModule({
      imports: [Readiness, DatabaseModule.forRoot({ url: postgres.urlFor(DATABASE), entities: [], migrations: [], tlsEnv: { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: wrongCa.caFile } })],
    }).compile();
    try {
      await expect(started).rejects.toThrow(`(DATABASE_SSL_CA_FILE=${wrongCa.caFile}): DATABASE_SSL_CA_FILE must be the PEM file of the CA`);
      // Not retried: 30 attempts 2 s apart would only delay the same refusal by a minute.
      expect(logged.mock.calls.filter(([message]) => String(message).includes('Retrying'))).toEqual([]);
    } finally {
      logged.mockRestore();
    }
  });

  it('require connects without a CA, encrypted', async () => {
    const dataSource = await connect({ DATABASE_SSL_MODE: 'require' });
    try {
      expect(await tlsOfConnection(dataSource)).toMatchObject({ serverSsl: 'on', ssl: true });
    } finally {
      await dataSource.destroy();
    }
  });

  it('disable is refused by a server that accepts only hostssl', async () => {
    const error = await refusal({ DATABASE_SSL_MODE: 'disable' });
    expect(error.message).toBe(`no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "${DATABASE}", no encryption`);
  });
});
