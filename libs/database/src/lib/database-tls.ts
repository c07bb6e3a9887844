import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { emptyToUndefined } from '@chat/service-kit';

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
  /** Where `mode` and the CA came from, so a refused connection can name what to fix (connectPostgres). */
  origin: TlsSettingsOrigin;
}

export interface TlsSettingsOrigin {
  /** `default`: neither DATABASE_SSL_MODE nor `?sslmode=` was given. */
  mode: 'DATABASE_SSL_MODE' | 'DATABASE_URL' | 'default';
  /** The CA file read, and whether DATABASE_SSL_CA_FILE or `?sslrootcert=` named it; absent: Node's public CAs. */
  ca?: { file: string; variable: 'DATABASE_SSL_CA_FILE' | 'DATABASE_URL' };
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
  const origin: TlsSettingsOrigin = { mode: given(env.DATABASE_SSL_MODE) ? 'DATABASE_SSL_MODE' : urlMode === undefined ? 'default' : 'DATABASE_URL' };
  if (!(DATABASE_SSL_MODES as readonly string[]).includes(mode)) {
    throw new DatabaseTlsConfigError(variable, `sslmode must be one of ${DATABASE_SSL_MODES.join(', ')}, got ${rawMode}`);
  }
  const caFile = given(env.DATABASE_SSL_CA_FILE) ?? urlCa;
  let ca: string | undefined;
  if (caFile) {
    const caVariable = given(env.DATABASE_SSL_CA_FILE) ? 'DATABASE_SSL_CA_FILE' : 'DATABASE_URL';
    try {
      ca = readFile(caFile);
    } catch (error) {
      throw new DatabaseTlsConfigError(caVariable, `cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    origin.ca = { file: caFile, variable: caVariable };
  }
  const plainUrl = url.toString();
  switch (mode as DatabaseSslMode) {
    case 'disable':
      return { url: plainUrl, mode: 'disable', ssl: false, origin };
    case 'require':
      return { url: plainUrl, mode: 'require', ssl: { rejectUnauthorized: false }, origin };
    case 'verify-ca':
      // The chain is checked; the host name is not (libpq's verify-ca).
      return { url: plainUrl, mode: 'verify-ca', ssl: { rejectUnauthorized: true, ...(ca && { ca }), checkServerIdentity: () => undefined }, origin };
    case 'verify-full':
      return { url: plainUrl, mode: 'verify-full', ssl: { rejectUnauthorized: true, ...(ca && { ca }) }, origin };
  }
}

/**
 * The server's certificate failed this client's check (verify-ca / verify-full): a configuration
 * problem, not an outage, so DatabaseModule does not retry it. The message names the variable to
 * fix and what to check, after the TLS error's own words; `cause` is that error.
 */
export class DatabaseTlsRefusedError extends Error {
  constructor(
    message: string,
    readonly tlsCode: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'DatabaseTlsRefusedError';
  }
}

/** Node's codes (and words, should a wrapper drop the code) for a chain that does not lead to a trusted CA. */
const UNTRUSTED_CHAIN_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const UNTRUSTED_CHAIN_WORDS = /self[- ]signed certificate|unable to verify the first certificate|unable to get (?:local )?issuer certificate/i;
const HOST_MISMATCH_CODE = 'ERR_TLS_CERT_ALTNAME_INVALID';
const HOST_MISMATCH_WORDS = /does not match certificate's altnames/i;
const VALIDITY_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The certificate check failure in `error` or its causes (TypeORM and node-postgres may wrap it): its code and words. */
function certificateFailure(error: unknown): { code: string; message: string } | undefined {
  const seen = new Set<unknown>();
  for (let current: unknown = error; typeof current === 'object' && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    // Not `instanceof Error`: an error from another realm (a Jest sandbox, a vm) is one too.
    const raw = (current as { message?: unknown }).message;
    const message = typeof raw === 'string' ? raw : '';
    if (typeof code === 'string' && (UNTRUSTED_CHAIN_CODES.has(code) || code === HOST_MISMATCH_CODE || VALIDITY_CODES.has(code))) return { code, message };
    if (UNTRUSTED_CHAIN_WORDS.test(message)) return { code: 'SELF_SIGNED_CERT_IN_CHAIN', message };
    if (HOST_MISMATCH_WORDS.test(message)) return { code: HOST_MISMATCH_CODE, message };
  }
  return undefined;
}

/**
 * `error` as a DatabaseTlsRefusedError naming DATABASE_SSL_CA_FILE / DATABASE_SSL_MODE and what to
 * check when it is the server's certificate failing the check `connection` asked for; any other
 * error (an outage, a wrong password) as it is.
 */
export function explainTlsRefusal(error: unknown, connection: PostgresConnection): unknown {
  if (connection.mode !== 'verify-ca' && connection.mode !== 'verify-full') return error;
  const failure = certificateFailure(error);
  if (!failure) return error;
  const { origin } = connection;
  const mode = origin.mode === 'DATABASE_URL' ? `sslmode=${connection.mode} in DATABASE_URL` : `DATABASE_SSL_MODE=${connection.mode}`;
  const ca = origin.ca
    ? origin.ca.variable === 'DATABASE_SSL_CA_FILE'
      ? `DATABASE_SSL_CA_FILE=${origin.ca.file}`
      : `sslrootcert=${origin.ca.file} in DATABASE_URL (DATABASE_SSL_CA_FILE, if set, wins)`
    : "DATABASE_SSL_CA_FILE is not set, so only Node.js's public CAs are trusted";
  let advice: string;
  if (failure.code === HOST_MISMATCH_CODE) {
    const host = new URL(connection.url).hostname;
    advice =
      `the server's certificate is not for the host DATABASE_URL names (${host}): connect by a name or address the certificate lists ` +
      `(its subjectAltName), or set DATABASE_SSL_MODE=verify-ca, which checks the chain to the CA but not the name`;
  } else if (VALIDITY_CODES.has(failure.code)) {
    advice = `the server's certificate is outside its validity period: renew it on the PostgreSQL server (and check both clocks); ${ca}`;
  } else {
    advice =
      `the server's certificate does not chain to a CA this client trusts (${ca}): DATABASE_SSL_CA_FILE must be the PEM file of the CA ` +
      `that signed the PostgreSQL server's certificate (its root, or an intermediate the server does not send), not another one such as the Kafka CA; ` +
      `DATABASE_SSL_MODE=require would encrypt without checking the certificate (not for production)`;
  }
  return new DatabaseTlsRefusedError(`PostgreSQL refused by ${mode}: ${failure.message} (${failure.code}); ${advice}`, failure.code, { cause: error });
}

/**
 * Initializes `dataSource` (made from `connection`: its url and ssl), with a certificate failure
 * explained (explainTlsRefusal) and the original error kept as its cause. DatabaseModule connects
 * through this.
 */
export async function connectPostgres(dataSource: DataSource, connection: PostgresConnection): Promise<DataSource> {
  try {
    return await dataSource.initialize();
  } catch (error) {
    throw explainTlsRefusal(error, connection);
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

/** Checks the TLS settings against DATABASE_URL as DatabaseModule will (mode, readable CA); names the variable. */
export function checkDatabaseTlsConfig(values: DatabaseTlsEnv & { DATABASE_URL: string }, context: z.RefinementCtx): void {
  try {
    postgresConnection(values.DATABASE_URL, values);
  } catch (error) {
    if (!(error instanceof DatabaseTlsConfigError)) throw error;
    context.addIssue({ code: 'custom', path: [error.variable], message: error.problem });
  }
}
