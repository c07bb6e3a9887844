import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  distEntry,
  getFreePort,
  SERVICE_SPECS,
  SERVICES,
  serviceEnv,
  startKafkaBroker,
  startService,
  type KafkaBrokerHandle,
  type ServiceName,
  type ServiceProcess,
} from '@chat/local-infra';
import { e2e } from './support/environment';
import { expectEventually } from '@chat/testing';

async function readiness(service: ServiceProcess): Promise<number | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`, { signal: AbortSignal.timeout(5000) });
    return response.status;
  } catch {
    return undefined;
  }
}

describe('every service, as its own process', () => {
  describe.each(SERVICES)('%s with bad configuration', (name: ServiceName) => {
    it('exits non-zero and names each bad variable', () => {
      const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', HTTP_PORT: 'not-a-port', LOG_LEVEL: 'loud' };
      const result = spawnSync(process.execPath, [distEntry(e2e.workspaceRoot, name)], { env, encoding: 'utf8', timeout: 30_000 });
      expect(result.status).toBe(78);
      expect(result.stderr).toContain(`${name}: invalid configuration`);
      expect(result.stderr).toMatch(/KAFKA_BROKERS: is required/);
      expect(result.stderr).toMatch(/HTTP_PORT: must be an integer/);
      expect(result.stderr).toMatch(/LOG_LEVEL: /);
      if (SERVICE_SPECS[name].database) expect(result.stderr).toMatch(/DATABASE_URL: is required/);
      else expect(result.stderr).not.toContain('DATABASE_URL');
    });
  });

  describe('readiness follows Kafka', () => {
    let broker: KafkaBrokerHandle;
    const services: ServiceProcess[] = [];

    beforeAll(async () => {
      // A broker of its own: this test takes it away, which must not disturb other tests.
      broker = await startKafkaBroker({ dataDir: path.join(e2e.tempDir, 'kafka-readiness') });
      for (const name of SERVICES) {
        const env = { ...serviceEnv(name, { kafkaBrokers: broker.brokers, databaseUrlFor: e2e.databaseUrlFor, jwtSecret: e2e.jwtSecret, httpPort: await getFreePort(), instanceId: `${name}-readiness` }), HEARTBEAT_INTERVAL_MS: '1000' };
        services.push(startService({ name, env, workspaceRoot: e2e.workspaceRoot, logFile: path.join(e2e.tempDir, `${name}-readiness.log`) }));
      }
      await Promise.all(services.map((service) => service.waitForReady(90_000)));
    });

    afterAll(async () => {
      await Promise.all(services.map((service) => service.stop()));
      await broker?.stop();
    });

    it('reports not ready while the broker is down and ready again once it is back, without restarting', async () => {
      const pids = services.map((s) => s.pid);
      await broker.kill();
      await expectEventually(async () => expect(await Promise.all(services.map(readiness))).toEqual(SERVICES.map(() => 503)), { timeoutMs: 60_000 });
      for (const service of services) expect(await (await fetch(`http://127.0.0.1:${service.httpPort}/healthz`)).json()).toEqual({ status: 'ok' });

      await broker.restart();
      await expectEventually(async () => expect(await Promise.all(services.map(readiness))).toEqual(SERVICES.map(() => 200)), { timeoutMs: 120_000 });
      expect(services.map((s) => s.pid)).toEqual(pids);
    });

    it('drains and exits 0 on SIGTERM', async () => {
      const service = services.find((s) => s.name === 'metrics') as ServiceProcess;
      await service.kill('SIGTERM');
      const exit = await service.exited;
      expect(exit.code).toBe(0);
      expect(service.output()).toContain('shutdown requested: draining');
      expect(service.output()).toContain('consumer stopped');
      expect(service.output()).toContain('kafka disconnected');
    });
  });
});
