import { randomBytes } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import {
  distEntry,
  ensureKafkaJars,
  GENEROUS_AUTH_RATE_LIMITS,
  getFreePort,
  type KafkaBrokerHandle,
  type PostgresHandle,
  SERVICE_DATABASES,
  serviceEnv,
  type ServiceName,
  type ServiceProcess,
  startKafkaBroker,
  startPostgres,
  SERVICES,
  startService,
} from '@chat/local-infra';

/*
 * The harness's own chat system: one Kafka broker and one PostgreSQL in a temp dir on free ports,
 * and the services as OS processes (two gateways). Every piece can be crashed and started again in
 * place (same ports, same data, same instance id), as an orchestrator would.
 */

/** Instances by role; gateways are `gateway-0` and `gateway-1`. */
export type InstanceName = Exclude<ServiceName, 'gateway'> | 'gateway-0' | 'gateway-1';
export const INSTANCES: readonly InstanceName[] = ['persistence', 'router', 'auth', 'metrics', 'gateway-0', 'gateway-1'];

const READY_TIMEOUT_MS = 120_000;
/**
 * How long a (re)started broker or PostgreSQL may take to answer. Generous: after a SIGKILL the
 * broker recovers its logs first, and on a busy machine that alone can exceed local-infra's 60 s
 * default, which would then kill the broker that was about to come up.
 */
const INFRA_READY_TIMEOUT_MS = 300_000;

/**
 * Gateway limits for the harness: devices send in bursts after a reconnect (their outbox) and the
 * slow consumer asks for many history pages, so the per-socket rate limit is raised; the send
 * backlog is 1 MiB instead of 4 MiB so the slow consumer is dropped for its backlog within
 * seconds, well before the heartbeat timeout (30 s, the default) would drop it.
 */
const GATEWAY_ENV: Record<string, string> = {
  WS_RATE_PER_SECOND: '500',
  WS_RATE_BURST: '1000',
  WS_MAX_BUFFERED_BYTES: String(1024 * 1024),
};

interface Launch {
  instance: InstanceName;
  service: ServiceName;
  env: Record<string, string>;
}

export interface ClusterOptions {
  workDir: string;
  workspaceRoot: string;
  log: (message: string) => void;
}

export class Cluster {
  private readonly processes = new Map<InstanceName, ServiceProcess>();
  private postgresHandle: PostgresHandle;

  private constructor(
    private readonly options: ClusterOptions,
    private readonly appsDir: string,
    readonly broker: KafkaBrokerHandle,
    postgres: PostgresHandle,
    private readonly launches: Launch[],
  ) {
    this.postgresHandle = postgres;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const { workDir, workspaceRoot, log } = options;
    const appsDir = await snapshotApps(workspaceRoot, path.basename(workDir));
    let broker: KafkaBrokerHandle;
    let postgres: PostgresHandle;
    try {
      await ensureKafkaJars(workspaceRoot);
      [broker, postgres] = await Promise.all([
        onFreshPorts((attempt) => startKafkaBroker({ dataDir: path.join(workDir, `kafka-${attempt}`), readyTimeoutMs: INFRA_READY_TIMEOUT_MS })),
        onFreshPorts((attempt) =>
          startPostgres({ dataDir: path.join(workDir, `postgres-${attempt}`), databases: [...SERVICE_DATABASES], readyTimeoutMs: INFRA_READY_TIMEOUT_MS }),
        ),
      ]);
    } catch (error) {
      await rm(path.dirname(appsDir), { recursive: true, force: true });
      throw error;
    }
    log(`kafka ${broker.brokers}, postgres 127.0.0.1:${postgres.port} (${workDir})`);
    const jwtSecret = randomBytes(48).toString('base64url');
    const launches: Launch[] = [];
    for (const instance of INSTANCES) {
      const service: ServiceName = instance.startsWith('gateway') ? 'gateway' : (instance as ServiceName);
      const env = serviceEnv(service, {
        kafkaBrokers: broker.brokers,
        databaseUrlFor: postgres.urlFor,
        jwtSecret,
        // Picked when the instance first starts (see startInstance): a port found free now may be taken by then.
        httpPort: 0,
        instanceId: `${instance}-fh`,
        logLevel: 'info',
      });
      const extra = service === 'gateway' ? GATEWAY_ENV : service === 'auth' ? GENEROUS_AUTH_RATE_LIMITS : {};
      launches.push({ instance, service, env: { ...env, ...extra } });
    }
    const cluster = new Cluster(options, appsDir, broker, postgres, launches);
    try {
      await Promise.all(launches.map((launch) => cluster.startInstance(launch)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get postgres(): PostgresHandle {
    return this.postgresHandle;
  }

  get authUrl(): string {
    return `http://127.0.0.1:${this.process('auth').httpPort}`;
  }

  gatewayUrl(index: number): string {
    return `ws://127.0.0.1:${this.gateway(index).httpPort}/ws`;
  }

  gateway(index: number): ServiceProcess {
    return this.process(index === 0 ? 'gateway-0' : 'gateway-1');
  }

  process(instance: InstanceName): ServiceProcess {
    const service = this.processes.get(instance);
    if (!service) throw new Error(`${instance} was never started`);
    return service;
  }

  /** A crash (SIGKILL: nothing flushed or committed) and a start under the same instance id and port. */
  async crashAndRestart(instance: InstanceName): Promise<void> {
    await this.process(instance).kill('SIGKILL');
    const launch = this.launches.find((candidate) => candidate.instance === instance);
    if (!launch) throw new Error(`unknown instance ${instance}`);
    this.spawn(launch);
  }

  /** SIGKILL of the broker's JVM, then a start on the same port and data dir. */
  async crashAndRestartBroker(): Promise<void> {
    await this.broker.kill();
    await this.broker.restart();
  }

  /** A fast shutdown of PostgreSQL and a start on the same data dir and port. */
  async restartPostgres(): Promise<void> {
    const { dataDir, port } = this.postgresHandle;
    await this.postgresHandle.stop();
    this.postgresHandle = await startPostgres({ dataDir, port, databases: [...SERVICE_DATABASES], readyTimeoutMs: INFRA_READY_TIMEOUT_MS });
  }

  /** Whether every service process answers /readyz with 200 right now. */
  async allReady(): Promise<boolean> {
    const answers = await Promise.all(INSTANCES.map((instance) => readyzStatus(this.process(instance).httpPort)));
    return answers.every((status) => status === 200);
  }

  /** Services first (they flush to Kafka and PostgreSQL while stopping), then the broker, then PostgreSQL. */
  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((service) => service.stop()));
    await this.broker.stop();
    await this.postgresHandle.stop();
    await rm(path.dirname(this.appsDir), { recursive: true, force: true });
  }

  /**
   * First start of an instance on a free port, again on another one if the port was taken between
   * finding it free and listening (other programs on the machine pick free ports too). Restarts
   * keep the port the instance got here.
   */
  private async startInstance(launch: Launch, attempts = 3): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      launch.env.HTTP_PORT = String(await getFreePort());
      try {
        await this.spawn(launch).waitForReady(READY_TIMEOUT_MS);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempt >= attempts || !message.includes('EADDRINUSE')) throw error;
      }
    }
  }

  private spawn(launch: Launch): ServiceProcess {
    const service = startService({
      name: launch.service,
      entry: path.join(this.appsDir, launch.service, 'main.js'),
      env: launch.env,
      workspaceRoot: this.options.workspaceRoot,
      logFile: path.join(this.options.workDir, 'logs', `${launch.instance}.log`),
    });
    this.processes.set(launch.instance, service);
    return service;
  }
}

/**
 * Starts something on free ports, again on other ports (and a fresh data dir) when one was taken
 * between finding it free and binding it: other runs on the machine pick free ports too.
 */
async function onFreshPorts<T>(start: (attempt: number) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(attempt);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= attempts || !/address already in use|could not bind/i.test(message)) throw error;
    }
  }
}

/**
 * A copy of the built services taken at the start, so every restart runs the build the run began
 * with even if dist/ is rebuilt meanwhile. Inside the workspace, so the copies resolve node_modules.
 */
async function snapshotApps(workspaceRoot: string, runId: string): Promise<string> {
  const appsDir = path.join(workspaceRoot, '.cache', 'fault-harness', runId, 'apps');
  for (const name of SERVICES) {
    const built = path.dirname(distEntry(workspaceRoot, name));
    await cp(built, path.join(appsDir, name), { recursive: true }).catch((error: unknown) => {
      throw new Error(`${name} is not built (${built}): run \`npx nx run ${name}:build\` (${error instanceof Error ? error.message : String(error)})`);
    });
  }
  return appsDir;
}

/** GET /readyz without keep-alive; undefined when nothing answers. */
function readyzStatus(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(`http://127.0.0.1:${port}/readyz`, { agent: false, timeout: 2_000, headers: { connection: 'close' } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}
