import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { distEntry, readyzStatus, SERVICE_SPECS, SERVICES, ServiceFleet, startInfra, type Infra, type KafkaBrokerHandle, type ServiceName } from '@chat/local-infra';
import { e2e } from './support/environment';
import { expectEventually } from '@chat/testing';

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
    let infra: Infra | undefined;
    let fleet: ServiceFleet | undefined;
    let broker: KafkaBrokerHandle;
    const readiness = () => Promise.all(SERVICES.map((name) => readyzStatus((fleet as ServiceFleet).httpPort(name), 5_000)));

    beforeAll(async () => {
      // A broker of its own: this test takes it away, which must not disturb other tests.
      infra = await startInfra({
        workspaceRoot: e2e.workspaceRoot,
        kafka: { start: { dataDir: path.join(e2e.tempDir, 'kafka-readiness'), secure: e2e.kafkaSecurity !== undefined } },
        postgres: { external: e2e.databaseUrlFor },
      });
      broker = infra.broker as KafkaBrokerHandle;
      fleet = new ServiceFleet({
        workspaceRoot: e2e.workspaceRoot,
        kafkaBrokers: infra.kafkaBrokers,
        kafkaSecurity: infra.servicesKafkaSecurity,
        databaseUrlFor: e2e.databaseUrlFor,
        jwtKeys: e2e.jwtKeys,
        instances: SERVICES.map((name) => ({ name, service: name, instanceId: `${name}-readiness` })),
        env: { HEARTBEAT_INTERVAL_MS: '1000' },
        logDir: path.join(e2e.tempDir, 'readiness'),
        readyTimeoutMs: 90_000,
      });
      await fleet.start();
    });

    afterAll(async () => {
      await fleet?.stop();
      await infra?.stop();
    });

    it('reports not ready while the broker is down and ready again once it is back, without restarting', async () => {
      const services = fleet as ServiceFleet;
      const pids = SERVICES.map((name) => services.process(name).pid);
      await broker.kill();
      await expectEventually(async () => expect(await readiness()).toEqual(SERVICES.map(() => 503)), { timeoutMs: 60_000 });
      for (const name of SERVICES) expect(await (await fetch(`http://127.0.0.1:${services.httpPort(name)}/healthz`)).json()).toEqual({ status: 'ok' });

      await broker.restart();
      await expectEventually(async () => expect(await readiness()).toEqual(SERVICES.map(() => 200)), { timeoutMs: 120_000 });
      expect(SERVICES.map((name) => services.process(name).pid)).toEqual(pids);
    });

    it('drains and exits 0 on SIGTERM', async () => {
      const services = fleet as ServiceFleet;
      await services.kill('metrics', 'SIGTERM');
      const service = services.process('metrics');
      const exit = await service.exited;
      expect(exit.code).toBe(0);
      expect(service.output()).toContain('shutdown requested: draining');
      expect(service.output()).toContain('consumer stopped');
      expect(service.output()).toContain('kafka disconnected');
    });
  });
});
