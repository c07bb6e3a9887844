import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getFreePort } from './free-port';
import { generateJwtKeys } from './jwt-keys';
import { SERVICE_DATABASES, SERVICE_SPECS, SERVICES, serviceEnv, startService } from './suite';

const jwtKeys = generateJwtKeys('k1');

const urlFor = (db: string) => `postgres://u:p@127.0.0.1:5433/${db}`;

describe('serviceEnv', () => {
  it('gives auth and persistence each their own database, and the others none', () => {
    const urls = SERVICES.map((name) => serviceEnv(name, { kafkaBrokers: 'k:1', jwtKeys, databaseUrlFor: urlFor }).DATABASE_URL);
    expect(urls).toEqual([undefined, urlFor('chat_auth'), undefined, urlFor('chat_persistence'), undefined]);
    expect(SERVICE_DATABASES).toEqual(['chat_auth', 'chat_persistence']);
  });

  it('uses distinct default ports and per-service instance ids', () => {
    const envs = SERVICES.map((name) => serviceEnv(name, { kafkaBrokers: 'k:1', jwtKeys, databaseUrlFor: urlFor }));
    expect(new Set(envs.map((env) => env.HTTP_PORT)).size).toBe(SERVICES.length);
    expect(envs[0]).toEqual({ KAFKA_BROKERS: 'k:1', HTTP_PORT: '3000', LOG_LEVEL: 'info', INSTANCE_ID: 'gateway-1', JWT_PUBLIC_KEYS: jwtKeys.publicJwks });
    // Only auth holds the private key.
    expect(envs[1]).toMatchObject({ JWT_PRIVATE_KEY: jwtKeys.privateKeyPem, JWT_KEY_ID: 'k1' });
    expect(envs.filter((env) => 'JWT_PRIVATE_KEY' in env)).toHaveLength(1);
  });

  it('logs each service in to a secured broker as its own principal, over TLS with the local CA', () => {
    const passwords = { admin: 'a', auth: 'au', router: 'r', persistence: 'p', metrics: 'm', controller: 'c' };
    const kafkaSecurity = { caFile: '/tls/ca.pem', keystoreFile: '/tls/broker-keystore.pem', passwords, credentialsFile: '/data/credentials.json', libsDir: '/libs' };
    for (const name of SERVICES.filter((service) => service !== 'gateway')) {
      expect(serviceEnv(name, { kafkaBrokers: 'k:1', jwtKeys, databaseUrlFor: urlFor, kafkaSecurity })).toMatchObject({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: name,
        KAFKA_SASL_PASSWORD: passwords[name],
        KAFKA_SSL_CA_FILE: '/tls/ca.pem',
      });
    }
    // A gateway logs in as its own principal, given; without one, with no credentials at all (never a shared or inherited one).
    const gatewayLogin = { protocol: 'SASL_SSL' as const, sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'gateway-gw-1', password: 'g1' }, tls: { caFile: '/tls/ca.pem' } };
    expect(serviceEnv('gateway', { kafkaBrokers: 'k:1', jwtKeys, kafkaSecurity, gatewayLogin })).toMatchObject({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: 'gateway-gw-1', KAFKA_SASL_PASSWORD: 'g1', KAFKA_SSL_CA_FILE: '/tls/ca.pem' });
    expect(serviceEnv('gateway', { kafkaBrokers: 'k:1', jwtKeys, kafkaSecurity })).toMatchObject({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '', KAFKA_SSL_CA_FILE: '/tls/ca.pem' });
  });

  it('refuses to start a database service without a database', () => {
    expect(() => serviceEnv('persistence', { kafkaBrokers: 'k:1', jwtKeys })).toThrow('chat_persistence');
  });
});

/** A stand-in "service": dumps its env, serves /readyz once READY_AFTER_MS passed, exits on SIGTERM. */
const FAKE_SERVICE = `
const http = require('node:http');
const started = Date.now();
console.log('env ' + JSON.stringify({ db: process.env.DATABASE_URL ?? null, id: process.env.INSTANCE_ID, path: !!process.env.PATH }));
console.error('to stderr');
if (process.env.CRASH) { console.error('boom: ' + process.env.CRASH); process.exit(3); }
const server = http.createServer((req, res) => {
  res.statusCode = req.url === '/readyz' && Date.now() - started > Number(process.env.READY_AFTER_MS) ? 200 : 503;
  res.end();
}).listen(Number(process.env.HTTP_PORT), '127.0.0.1');
process.on('SIGTERM', () => { console.log('graceful stop'); server.close(() => process.exit(0)); });
`;

describe('startService', () => {
  let root: string;
  let entry: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'local-infra-suite-'));
    entry = path.join(root, 'main.js');
    await writeFile(entry, FAKE_SERVICE);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('waits for /readyz, collects output, strips a foreign DATABASE_URL and stops gracefully', async () => {
    process.env.DATABASE_URL = 'postgres://leaked';
    const lines: string[] = [];
    const port = await getFreePort();
    const service = startService({
      name: 'gateway',
      workspaceRoot: root,
      entry,
      env: { ...serviceEnv('gateway', { kafkaBrokers: 'k:1', jwtKeys, httpPort: port }), READY_AFTER_MS: '300' },
      onLine: (line, stream) => lines.push(`${stream}: ${line}`),
    });
    delete process.env.DATABASE_URL;
    try {
      expect(service.httpPort).toBe(port);
      await service.waitForReady(10_000);
      expect(service.output()).toContain('{"db":null,"id":"gateway-1","path":true}');
      expect(lines).toContain('stderr: to stderr');
      await service.stop();
      await expect(service.exited).resolves.toEqual({ code: 0, signal: null });
      expect(lines).toContain('stdout: graceful stop');
    } finally {
      await service.kill();
    }
  });

  it('rejects waitForReady early, with the output, when the process dies', async () => {
    const service = startService({
      name: 'auth',
      workspaceRoot: root,
      entry,
      env: { ...serviceEnv('auth', { kafkaBrokers: 'k:1', jwtKeys, httpPort: await getFreePort(), databaseUrlFor: urlFor }), CRASH: 'no db' },
    });
    // Early without timing it: the deadline (10 min) is far beyond the test's timeout, so the only way
    // this rejects in time is the exit path, which the message names (the deadline says "did not answer").
    await expect(service.waitForReady(10 * 60_000)).rejects.toThrow(/auth exited \(code 3\) before it was ready[\s\S]*boom: no db/);
    await expect(service.exited).resolves.toEqual({ code: 3, signal: null });
    expect(service.output()).toContain(urlFor('chat_auth'));
  });

  it('kill() ends a service that ignores nothing', async () => {
    const service = startService({
      name: 'metrics',
      workspaceRoot: root,
      entry,
      env: { ...serviceEnv('metrics', { kafkaBrokers: 'k:1', jwtKeys, httpPort: await getFreePort() }), READY_AFTER_MS: '0' },
    });
    await service.waitForReady(10_000);
    await service.kill();
    await expect(service.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('explains a missing build', () => {
    expect(() => startService({ name: 'router', workspaceRoot: root, env: { KAFKA_BROKERS: 'k:1' } })).toThrow(
      'router is not built',
    );
  });

  it('has a default port per service', () => {
    expect(SERVICES.map((name) => SERVICE_SPECS[name].httpPort)).toEqual([3000, 3001, 3002, 3003, 3004]);
  });
});
