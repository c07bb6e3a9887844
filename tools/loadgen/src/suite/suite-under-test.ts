import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ensureKafkaJars,
  getFreePort,
  type KafkaBrokerHandle,
  type PostgresHandle,
  SERVICE_DATABASES,
  serviceEnv,
  type ServiceName,
  type ServiceProcess,
  startKafkaBroker,
  startPostgres,
  startService,
} from '@chat/local-infra';

/**
 * The chat suite the load runs against: one the load generator started itself (own broker and
 * PostgreSQL in a temp dir, or given ones, and the five services on free ports; it knows their pids
 * and the JWT secret), or one already running that it only knows by URL.
 */

export interface StartSuiteOptions {
  workspaceRoot: string;
  gateways: number;
  /** Use this broker instead of starting one. */
  kafkaBrokers?: string;
  /** Use this PostgreSQL (`__database__` stands for the database name) instead of starting one. */
  databaseUrlTemplate?: string;
  logLevel: string;
  /** Start every service with `--cpu-prof` writing into this directory. */
  cpuProfDir?: string;
  /** Most sockets one gateway admits (WS_MAX_CONNECTIONS). */
  gatewayMaxConnections: number;
  /** Extra environment for every service / for gateways. */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  onLine?: (instanceId: string, line: string) => void;
}

export interface AttachSuiteOptions {
  authUrl: string;
  gatewayUrls: string[];
  metricsUrl?: string;
  kafkaBrokers?: string;
  jwtSecret?: string;
}

/** Generous auth limits: the load generator registers and logs in many users from one address. */
const AUTH_LOAD_ENV: Record<string, string> = {
  RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: '1000000',
};

const READY_TIMEOUT_MS = 180_000;

interface Launch {
  name: ServiceName;
  instanceId: string;
  env: Record<string, string>;
}

export class SuiteUnderTest {
  private readonly processes = new Map<string, ServiceProcess>();
  /** Every process started, killed ones included (their CPU profiles are named by pid). */
  private readonly everStarted: Array<{ instanceId: string; name: ServiceName; pid: number }> = [];
  private broker: KafkaBrokerHandle | undefined;
  private postgres: PostgresHandle | undefined;

  private constructor(
    readonly authUrl: string,
    readonly gatewayUrls: string[],
    readonly metricsUrl: string | undefined,
    readonly kafkaBrokers: string | undefined,
    readonly jwtSecret: string | undefined,
    private readonly launches: Launch[] = [],
    private readonly options?: StartSuiteOptions,
    readonly tempDir?: string,
  ) {}

  static attach(options: AttachSuiteOptions): SuiteUnderTest {
    return new SuiteUnderTest(options.authUrl, options.gatewayUrls, options.metricsUrl, options.kafkaBrokers, options.jwtSecret);
  }

  static async start(options: StartSuiteOptions, say: (line: string) => void): Promise<SuiteUnderTest> {
    const tempDir = mkdtempSync(path.join(tmpdir(), 'chat-loadgen-'));
    let broker: KafkaBrokerHandle | undefined;
    let postgres: PostgresHandle | undefined;
    let kafkaBrokers = options.kafkaBrokers;
    let urlFor: (database: string) => string;
    const infra: Promise<unknown>[] = [];
    if (!kafkaBrokers) {
      say(`starting Kafka (${tempDir}/kafka)…`);
      infra.push(
        ensureKafkaJars(options.workspaceRoot)
          .then((libsDir) => startKafkaBroker({ dataDir: path.join(tempDir, 'kafka'), logFile: path.join(tempDir, 'kafka.log'), libsDir }))
          .then((handle) => {
            broker = handle;
            kafkaBrokers = handle.brokers;
          }),
      );
    }
    if (options.databaseUrlTemplate) {
      const template = options.databaseUrlTemplate;
      urlFor = (database) => template.replace('__database__', database);
    } else {
      say(`starting PostgreSQL (${tempDir}/postgres)…`);
      urlFor = () => {
        throw new Error('PostgreSQL not started');
      };
      infra.push(
        startPostgres({ dataDir: path.join(tempDir, 'postgres'), logFile: path.join(tempDir, 'postgres.log'), databases: [...SERVICE_DATABASES] }).then((handle) => {
          postgres = handle;
          urlFor = handle.urlFor;
        }),
      );
    }
    const settled = await Promise.allSettled(infra);
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure || !kafkaBrokers) {
      await Promise.allSettled([broker?.stop(), postgres?.stop()]);
      throw failure?.status === 'rejected' ? failure.reason : new Error('no Kafka');
    }

    const jwtSecret = randomBytes(48).toString('base64url');
    const run = `lg${Date.now().toString(36)}`;
    const launches: Launch[] = [];
    const env = { ...options.env };
    if (options.cpuProfDir) mkdirSync(options.cpuProfDir, { recursive: true });
    const launch = async (name: ServiceName, instanceId: string, extra: Record<string, string> = {}): Promise<Launch> => {
      const base = serviceEnv(name, { kafkaBrokers: kafkaBrokers as string, databaseUrlFor: urlFor, jwtSecret, httpPort: await getFreePort(), instanceId, logLevel: options.logLevel });
      const item = { name, instanceId, env: { ...base, ...env, ...extra } };
      launches.push(item);
      return item;
    };
    await launch('persistence', `persistence-${run}`);
    await launch('router', `router-${run}`);
    await launch('auth', `auth-${run}`, AUTH_LOAD_ENV);
    await launch('metrics', `metrics-${run}`, { LAG_POLL_INTERVAL_MS: '1000' });
    for (let index = 0; index < options.gateways; index++) {
      await launch('gateway', `gw${index}-${run}`, { WS_MAX_CONNECTIONS: String(options.gatewayMaxConnections), ...options.gatewayEnv });
    }
    const port = (name: ServiceName, index = 0) => Number(launches.filter((l) => l.name === name)[index].env.HTTP_PORT);
    const suite = new SuiteUnderTest(
      `http://127.0.0.1:${port('auth')}`,
      launches.filter((l) => l.name === 'gateway').map((l) => `ws://127.0.0.1:${l.env.HTTP_PORT}/ws`),
      `http://127.0.0.1:${port('metrics')}`,
      kafkaBrokers,
      jwtSecret,
      launches,
      options,
      tempDir,
    );
    suite.broker = broker;
    suite.postgres = postgres;
    say(`starting ${launches.length} services (${options.gateways} gateways)…`);
    for (const item of launches) suite.spawn(item);
    try {
      await Promise.all([...suite.processes.values()].map((service) => service.waitForReady(READY_TIMEOUT_MS)));
    } catch (error) {
      await suite.stop();
      throw error;
    }
    return suite;
  }

  /** Whether the load generator started the services (and so knows their pids). */
  get owned(): boolean {
    return this.launches.length > 0;
  }

  get gatewayIds(): string[] {
    return this.launches.filter((l) => l.name === 'gateway').map((l) => l.instanceId);
  }

  /** Pids of the running service processes by instance id, with their service name. */
  servicePids(): Array<{ instanceId: string; name: ServiceName; pid: number }> {
    return this.launches.flatMap((l) => {
      const service = this.processes.get(l.instanceId);
      return service ? [{ instanceId: l.instanceId, name: l.name, pid: service.pid }] : [];
    });
  }

  servicePidsEverStarted(): Array<{ instanceId: string; name: ServiceName; pid: number }> {
    return [...this.everStarted];
  }

  gatewayPid(index: number): number | undefined {
    return this.processes.get(this.gatewayIds[index])?.pid;
  }

  infraPids(): Array<{ name: string; pid: number }> {
    return [...(this.broker ? [{ name: 'kafka', pid: this.broker.pid }] : []), ...(this.postgres ? [{ name: 'postgres', pid: this.postgres.pid }] : [])];
  }

  /** SIGKILLs gateway `index` (only one this load generator started). */
  async killGateway(index: number): Promise<void> {
    const service = this.processes.get(this.gatewayIds[index]);
    if (!service) throw new Error(`gateway ${index} was not started by the load generator`);
    await service.kill('SIGKILL');
    this.processes.delete(this.gatewayIds[index]);
  }

  /** GET /readyz of gateway `index`: true on 200. */
  gatewayReady(index: number, timeoutMs = 2000): Promise<boolean> {
    const url = this.gatewayUrls[index].replace(/^ws/, 'http').replace(/\/ws$/, '/readyz');
    return new Promise((resolve) => {
      const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.once('timeout', () => request.destroy());
      request.once('error', () => resolve(false));
    });
  }

  /** Last output lines of every service, for an error report. */
  diagnostics(lines = 20): string {
    return [...this.processes.entries()].map(([id, service]) => `--- ${id}\n${service.output().split('\n').slice(-lines).join('\n')}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.processes.values()].map((service) => service.stop()));
    this.processes.clear();
    await Promise.allSettled([this.broker?.stop()]);
    await Promise.allSettled([this.postgres?.stop()]);
    // The logs stay for a post-mortem; the data (≈ 100 MB a run) goes.
    if (this.tempDir) {
      if (this.broker) rmSync(path.join(this.tempDir, 'kafka'), { recursive: true, force: true });
      if (this.postgres) rmSync(path.join(this.tempDir, 'postgres'), { recursive: true, force: true });
    }
  }

  private spawn(item: Launch): ServiceProcess {
    if (!this.options) throw new Error('not a started suite');
    const service = startService({
      name: item.name,
      env: item.env,
      workspaceRoot: this.options.workspaceRoot,
      // Like the load generator's workers: a gateway holds ~19,000 sockets, far above a default soft limit of 1,024.
      raiseOpenFileLimit: item.name === 'gateway',
      // Not through NODE_OPTIONS: node refuses --cpu-prof there.
      nodeArgs: this.options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${this.options.cpuProfDir}`] : [],
      logFile: this.tempDir ? path.join(this.tempDir, `${item.instanceId}.log`) : undefined,
      onLine: this.options.onLine ? (line) => this.options?.onLine?.(item.instanceId, line) : undefined,
    });
    this.processes.set(item.instanceId, service);
    this.everStarted.push({ instanceId: item.instanceId, name: item.name, pid: service.pid });
    return service;
  }
}
