import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { z } from 'zod';

/**
 * TLS to PostgreSQL, with libpq's `sslmode` words, from DATABASE_SSL_MODE or `?sslmode=` in
 * DATABASE_URL (the variable wins), and the CA from DATABASE_SSL_CA_FILE (PEM) or `?sslrootcert=`:
 *
 *   disable      no TLS (the default when neither is given)
 *   require      TLS, the server's certificate not checked (stops eavesdropping, not impersonation)
 *   verify-ca    TLS, the certificate must chain to the CA
 *   verify-full  TLS, chain and host name checked: what production should use
 *
 * node-postgres lets `sslmode` in a URL override the `ssl` option, so both are taken out of the URL
 * and the result is given as `ssl`, exactly once.
 */
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type DatabaseSslMode = (typeof DATABASE_SSL_MODES)[number];

export interface DatabaseTlsEnv {
  DATABASE_SSL_MODE?: string;
  DATABASE_SSL_CA_FILE?: string;
}

export interface PostgresConnection {
  /** DATABASE_URL without its sslmode/sslrootcert parameters. */
  url: string;
  mode: DatabaseSslMode;
  /** The `ssl` option of node-postgres (TypeORM passes it on); false for no TLS. */
  ssl: false | ConnectionOptions;
}

export class DatabaseTlsConfigError extends Error {
  constructor(readonly variable: string, readonly problem: string) {
    super(`invalid configuration: ${variable}: ${problem}`);
    this.name = 'DatabaseTlsConfigError';
  }
}

const given = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** The connection for `databaseUrl` under `env`; throws DatabaseTlsConfigError naming the bad variable. */
export function postgresConnection(databaseUrl: string, env: DatabaseTlsEnv = process.env, readFile: (file: string) => string = (file) => readFileSync(file, 'utf8')): PostgresConnection {
  const url = new URL(databaseUrl);
  const urlMode = url.searchParams.get('sslmode') ?? undefined;
  const urlCa = url.searchParams.get('sslrootcert') ?? undefined;
  url.searchParams.delete('sslmode');
  url.searchParams.delete('sslrootcert');
  const rawMode = given(env.DATABASE_SSL_MODE)?.toLowerCase() ?? urlMode?.toLowerCase() ?? 'disable';
  // libpq's prefer/allow try TLS and fall back to none: for a client that must not leak, treat as require.
  const mode = rawMode === 'prefer' || rawMode === 'allow' ? 'require' : rawMode;
  const variable = given(env.DATABASE_SSL_MODE) ? 'DATABASE_SSL_MODE' : 'DATABASE_URL';
  if (!(DATABASE_SSL_MODES as readonly string[]).includes(mode)) {
    throw new DatabaseTlsConfigError(variable, `sslmode must be one of ${DATABASE_SSL_MODES.join(', ')}, got ${rawMode}`);
  }
  const caFile = given(env.DATABASE_SSL_CA_FILE) ?? urlCa;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFile(caFile);
    } catch (error) {
      throw new DatabaseTlsConfigError(given(env.DATABASE_SSL_CA_FILE) ? 'DATABASE_SSL_CA_FILE' : 'DATABASE_URL', `cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  const plainUrl = url.toString();
  switch (mode as DatabaseSslMode) {
    case 'disable':
      return { url: plainUrl, mode: 'disable', ssl: false };
    case 'require':
      return { url: plainUrl, mode: 'require', ssl: { rejectUnauthorized: false } };
    case 'verify-ca':
      // The chain is checked; the host name is not (libpq's verify-ca).
      return { url: plainUrl, mode: 'verify-ca', ssl: { rejectUnauthorized: true, ...(ca && { ca }), checkServerIdentity: () => undefined } };
    case 'verify-full':
      return { url: plainUrl, mode: 'verify-full', ssl: { rejectUnauthorized: true, ...(ca && { ca }) } };
  }
}

/**
 * DATABASE_SSL_MODE and DATABASE_SSL_CA_FILE, to spread into the config schema of a service that
 * owns a database (so `--config-keys` lists them and `--check-config` checks them) and check with
 * `checkDatabaseTlsConfig` (a superRefine: they depend on DATABASE_URL).
 */
export const databaseTlsEnv = {
  DATABASE_SSL_MODE: z.preprocess(emptyToUndefined, z.string().optional()),
  DATABASE_SSL_CA_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
};

function emptyToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/** Checks the TLS settings against DATABASE_URL as DatabaseModule will (mode, readable CA); names the variable. */
export function checkDatabaseTlsConfig(values: DatabaseTlsEnv & { DATABASE_URL: string }, context: z.RefinementCtx): void {
  try {
    postgresConnection(values.DATABASE_URL, values);
  } catch (error) {
    if (!(error instanceof DatabaseTlsConfigError)) throw error;
    context.addIssue({ code: 'custom', path: [error.variable], message: error.problem });
  }
}
