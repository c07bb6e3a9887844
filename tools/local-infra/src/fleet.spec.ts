import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateJwtKeys } from './jwt-keys';
import { ServiceFleet, type ServiceFleetOptions } from './fleet';
import { startInfra } from './infra';
import { readyzStatus } from './readyz';
import { GENEROUS_AUTH_RATE_LIMITS } from './suite';

/** A stand-in service: prints its env, answers /readyz 200 (or crashes when CRASH is set). */
const FAKE_SERVICE = `
const http = require('node:http');
console.log('env ' + JSON.stringify(process.env));
if (process.env.CRASH) { console.error('boom'); process.exit(3); }
const server = http.createServer((req, res) => { res.statusCode = req.url === '/readyz' ? 200 : 404; res.end(); })
  .listen(Number(process.env.HTTP_PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const urlFor = (database: string) => `postgres://u:p@127.0.0.1:1/${database}`;

describe('ServiceFleet', () => {
  let root: string;
  let fleets: ServiceFleet[] = [];
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'local-infra-fleet-'));
    for (const service of ['auth', 'gateway', 'router']) {
      await mkdir(path.join(root, 'apps', service), { recursive: true });
      await writeFile(path.join(root, 'apps', service, 'main.js'), FAKE_SERVICE);
    }
  });
  afterEach(async () => {
    await Promise.all(fleets.map((fleet) => fleet.stop()));
    fleets = [];
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const fleetOf = (options: Partial<ServiceFleetOptions>) => {
    const fleet = new ServiceFleet({
      workspaceRoot: root,
      appsDir: path.join(root, 'apps'),
      kafkaBrokers: 'k:1',
      databaseUrlFor: urlFor,
      jwtKeys: generateJwtKeys(),
      logDir: path.join(root, 'logs'),
      instances: [],
      ...options,
    });
    fleets.push(fleet);
    return fleet;
  };
  const envOf = (fleet: ServiceFleet, name: string) =>
    JSON.parse(/env (\{.*\})/.exec(fleet.process(name).output())?.[1] ?? '{}') as Record<string, string>;

  it('starts N instances on distinct free ports with layered env, instance ids and log files', async () => {
    const fleet = fleetOf({
      instances: [
        { name: 'auth-x', service: 'auth', env: { RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '7' } },
        { name: 'gw0-x', service: 'gateway', env: { SHARED: 'gateway wins' } },
        { name: 'gw1-x', service: 'gateway', instanceId: 'other-id' },
      ],
      env: { SHARED: 'common' },
      generousAuthRateLimits: true,
    });
    await fleet.start();
    expect(new Set(fleet.instances.map((spec) => fleet.httpPort(spec.name))).size).toBe(3);
    const auth = envOf(fleet, 'auth-x');
    expect(auth).toMatchObject({
      ...GENEROUS_AUTH_RATE_LIMITS,
      RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '7',
      INSTANCE_ID: 'auth-x',
      DATABASE_URL: urlFor('chat_auth'),
      SHARED: 'common',
      HTTP_PORT: String(fleet.httpPort('auth-x')),
    });
    expect(envOf(fleet, 'gw0-x')).toMatchObject({ SHARED: 'gateway wins', INSTANCE_ID: 'gw0-x' });
    expect(envOf(fleet, 'gw0-x').RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE).toBeUndefined();
    expect(envOf(fleet, 'gw1-x').INSTANCE_ID).toBe('other-id');
    expect(await readFile(path.join(root, 'logs', 'gw1-x.log'), 'utf8')).toContain('"INSTANCE_ID":"other-id"');
    expect(await fleet.allReady()).toBe(true);
  });

  it('kills, restarts in place, freezes and thaws an instance', async () => {
    const fleet = fleetOf({ instances: [{ name: 'router', service: 'router' }, { name: 'gw', service: 'gateway' }] });
    await fleet.start();
    const port = fleet.httpPort('gw');
    const first = fleet.process('gw').pid;

    await fleet.kill('gw');
    await expect(fleet.process('gw').exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(fleet.running().map(({ spec }) => spec.name)).toEqual(['router']);
    expect(await readyzStatus(port, 500)).toBeUndefined();

    const again = await fleet.startAgain('gw');
    expect(again.pid).not.toBe(first);
    expect(again.httpPort).toBe(port);
    expect(fleet.everStarted().map((started) => started.name)).toEqual(['router', 'gw', 'gw']);

    fleet.freeze('gw');
    expect(await fleet.isReady('gw', 300)).toBe(false);
    fleet.thaw('gw');
    expect(await fleet.isReady('gw')).toBe(true);
  });

  it('stops every instance when one fails to start, and says which', async () => {
    const fleet = fleetOf({ instances: [{ name: 'router', service: 'router' }, { name: 'auth', service: 'auth', env: { CRASH: '1' } }] });
    await expect(fleet.start()).rejects.toThrow(/not all services became ready:\nauth exited \(code 3\) before it was ready[\s\S]*boom/);
    expect(fleet.running()).toEqual([]);
  });

  it('uses the services\' fixed ports when asked', () => {
    const fleet = fleetOf({ instances: [{ name: 'auth', service: 'auth' }], ports: 'defaults' });
    expect(fleet.env('auth').HTTP_PORT).toBe('3001');
  });
});

describe('startInfra with external Kafka and PostgreSQL', () => {
  it('starts nothing and hands the given addresses on', async () => {
    const events: string[] = [];
    const infra = await startInfra({
      workspaceRoot: '/nonexistent',
      kafka: { external: 'broker:9092' },
      postgres: { external: urlFor },
      onProgress: (event) => events.push(`${event.component} ${event.phase}`),
    });
    expect(infra.kafkaBrokers).toBe('broker:9092');
    expect(infra.databaseUrlFor('chat_auth')).toBe(urlFor('chat_auth'));
    expect(infra.pids()).toEqual([]);
    expect(events).toEqual(['kafka external', 'postgres external']);
    await expect(infra.restartPostgres()).rejects.toThrow('external');
    await infra.stop();
  });
});
