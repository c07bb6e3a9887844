import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '@chat/service-kit';
import { generateSigningKey, privateKeyPem, publicJwks } from '@chat/auth-tokens';
import { thrownBy } from '@chat/testing';
import { AuthConfig, authConfigSchema } from './config';

const complete = {
  KAFKA_BROKERS: 'localhost:9092',
  HTTP_PORT: '3001',
  DATABASE_URL: 'postgres://chat@localhost:5433/chat_auth',
  JWT_PRIVATE_KEY: privateKeyPem(generateSigningKey('k1').privateKey),
  JWT_KEY_ID: 'k1',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  return thrownBy(() => loadConfig(authConfigSchema, env), ConfigError).problems.map((p) => `${p.variable}: ${p.problem}`);
}

describe('auth configuration', () => {
  it('requires its own database and the signing key with its kid', () => {
    expect(problemsOf({ KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3001' })).toEqual([
      'JWT_PRIVATE_KEY: is required',
      'JWT_KEY_ID: is required',
      'DATABASE_URL: is required',
    ]);
  });

  it('refuses the retired JWT_SECRET and a JWKS that lists its kid over another key', () => {
    expect(problemsOf({ ...complete, JWT_SECRET: 'k7Qp2xVb9LmN4sTz8RcW1yHd6FgJ3aEu0oIiBvCn' })).toEqual([expect.stringMatching(/^JWT_SECRET: is no longer used/)]);
    expect(problemsOf({ ...complete, JWT_PUBLIC_KEYS: publicJwks([generateSigningKey('k1')]) })).toEqual([expect.stringMatching(/^JWT_PUBLIC_KEYS: lists kid "k1" \(JWT_KEY_ID\)/)]);
  });

  it('reads the administrators as a list of usernames in lowercase, naming a bad entry', () => {
    expect(loadConfig(authConfigSchema, complete).ADMIN_USERNAMES).toEqual([]);
    expect(loadConfig(authConfigSchema, { ...complete, ADMIN_USERNAMES: ' Alice, ops.bob ,' }).ADMIN_USERNAMES).toEqual(['alice', 'ops.bob']);
    expect(problemsOf({ ...complete, ADMIN_USERNAMES: 'alice,no spaces' })).toEqual(['ADMIN_USERNAMES: "no spaces" is not a username (3-32 characters of A-Z, a-z, 0-9, _, . and -)']);
  });

  it('accepts a complete environment and fills the token and rate-limit defaults', () => {
    const config = loadConfig(authConfigSchema, complete);
    expect(config).toMatchObject({
      DATABASE_URL: 'postgres://chat@localhost:5433/chat_auth',
      JWT_ISSUER: 'chat-auth',
      JWT_AUDIENCE: 'chat',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_SECONDS: 30 * 24 * 3600,
      RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: 10,
      RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: 20,
      RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: 10,
      TRUST_PROXY_HOPS: 0,
      OUTBOX_POLL_INTERVAL_MS: 5000,
    });
  });

  it('rejects token lifetimes out of bounds', () => {
    expect(problemsOf({ ...complete, ACCESS_TOKEN_TTL_SECONDS: '5', REFRESH_TOKEN_TTL_SECONDS: 'forever' })).toEqual([
      'ACCESS_TOKEN_TTL_SECONDS: must be at least 30',
      'REFRESH_TOKEN_TTL_SECONDS: must be an integer',
    ]);
  });

  it('has the rate limits docs/protocol.md writes down, with the same numbers', () => {
    // Rows like "| registrations per client IP | 10 per minute | `RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE` |".
    const doc = readFileSync(path.resolve(__dirname, '../../../docs/protocol.md'), 'utf8');
    const documented = Object.fromEntries([...doc.matchAll(/^\| [^|]+ \| (\d+) per minute \| `(RATE_LIMIT_\w+)` \|$/gm)].map(([, limit, name]) => [name, Number(limit)]));
    const config = AuthConfig.load(complete);
    const actual = Object.fromEntries(Object.entries(config).filter(([name]) => name.startsWith('RATE_LIMIT_')));
    expect(documented).toEqual(actual);
  });
});
