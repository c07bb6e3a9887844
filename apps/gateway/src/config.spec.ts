import { ConfigError, loadConfig } from '@chat/service-kit';
import { MAX_CLIENT_FRAME_BYTES } from '@chat/protocol';
import { generateSigningKey, privateKeyPem, publicJwks } from '@chat/auth-tokens';
import { thrownBy } from '@chat/testing';
import { gatewayConfigSchema } from './config';

const key = generateSigningKey('k1');
const complete = { KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3000', JWT_PUBLIC_KEYS: publicJwks([key]) };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  return thrownBy(() => loadConfig(gatewayConfigSchema, env), ConfigError).problems.map((p) => `${p.variable}: ${p.problem}`);
}

describe('gateway configuration', () => {
  it('needs Kafka, a port and the public keys of access tokens, and no database', () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS: is required/),
      expect.stringMatching(/^HTTP_PORT: is required/),
      'JWT_PUBLIC_KEYS: is required',
    ]);
    const config = loadConfig(gatewayConfigSchema, { ...complete, DATABASE_URL: 'ignored' });
    expect(config).not.toHaveProperty('DATABASE_URL');
  });

  it('refuses a private key (only auth signs) and the retired JWT_SECRET', () => {
    expect(problemsOf({ ...complete, JWT_PRIVATE_KEY: privateKeyPem(key.privateKey) })).toEqual(['JWT_PRIVATE_KEY: must not be set here: only auth holds the private key; verifiers get JWT_PUBLIC_KEYS']);
    expect(problemsOf({ ...complete, JWT_SECRET: 'k7Qp2xVb9LmN4sTz8RcW1yHd6FgJ3aEu0oIiBvCn' })).toEqual([expect.stringMatching(/^JWT_SECRET: is no longer used/)]);
  });

  it('accepts tokens in the URL only when WS_ACCEPT_QUERY_TOKEN is true', () => {
    expect(loadConfig(gatewayConfigSchema, complete).WS_ACCEPT_QUERY_TOKEN).toBe(false);
    expect(loadConfig(gatewayConfigSchema, { ...complete, WS_ACCEPT_QUERY_TOKEN: 'true' }).WS_ACCEPT_QUERY_TOKEN).toBe(true);
    expect(problemsOf({ ...complete, WS_ACCEPT_QUERY_TOKEN: 'yes' })).toEqual(['WS_ACCEPT_QUERY_TOKEN: must be true or false']);
  });

  it('fills the WebSocket limits with their defaults', () => {
    expect(loadConfig(gatewayConfigSchema, complete)).toMatchObject({
      JWT_ISSUER: 'chat-auth',
      JWT_AUDIENCE: 'chat',
      WS_MAX_CONNECTIONS: 10_000,
      WS_MAX_HANDSHAKES_PER_SECOND: 5_000,
      WS_HANDSHAKE_BURST: 5_000,
      WS_MAX_FRAME_BYTES: MAX_CLIENT_FRAME_BYTES,
      WS_RATE_PER_SECOND: 20,
      WS_RATE_BURST: 40,
      WS_MAX_INVALID_FRAMES: 20,
      WS_MAX_BUFFERED_BYTES: 4 * 1024 * 1024,
      WS_PING_INTERVAL_MS: 15_000,
      WS_IDLE_TIMEOUT_MS: 30_000,
      GATEWAY_LEASE_TTL_MS: 15_000,
      ALLOWED_ORIGINS: [],
    });
  });

  it('reads allowed origins as a normalised list', () => {
    const config = loadConfig(gatewayConfigSchema, { ...complete, ALLOWED_ORIGINS: ' https://Chat.Example.com/ , http://localhost:5173,' });
    expect(config.ALLOWED_ORIGINS).toEqual(['https://chat.example.com', 'http://localhost:5173']);
    expect(problemsOf({ ...complete, ALLOWED_ORIGINS: 'chat.example.com' })).toEqual(['ALLOWED_ORIGINS: each origin must look like https://host[:port]']);
  });

  it('reads the handshake rate limit, and refuses one that admits nobody', () => {
    expect(loadConfig(gatewayConfigSchema, { ...complete, WS_MAX_HANDSHAKES_PER_SECOND: '200', WS_HANDSHAKE_BURST: '50' })).toMatchObject({
      WS_MAX_HANDSHAKES_PER_SECOND: 200,
      WS_HANDSHAKE_BURST: 50,
    });
    expect(problemsOf({ ...complete, WS_MAX_HANDSHAKES_PER_SECOND: '0', WS_HANDSHAKE_BURST: '1.5' })).toEqual([
      'WS_MAX_HANDSHAKES_PER_SECOND: must be at least 1',
      'WS_HANDSHAKE_BURST: must be an integer',
    ]);
  });

  it('rejects limits out of bounds and an idle timeout not above the ping interval', () => {
    expect(problemsOf({ ...complete, WS_MAX_CONNECTIONS: '0', WS_RATE_BURST: 'lots', WS_MAX_FRAME_BYTES: String(1024 * 1024) })).toEqual([
      'WS_MAX_CONNECTIONS: must be at least 1',
      'WS_MAX_FRAME_BYTES: must be at most 262144',
      'WS_RATE_BURST: must be an integer',
    ]);
    expect(problemsOf({ ...complete, WS_PING_INTERVAL_MS: '20000', WS_IDLE_TIMEOUT_MS: '20000' })).toEqual([
      'WS_IDLE_TIMEOUT_MS: must be greater than WS_PING_INTERVAL_MS',
    ]);
  });
});
