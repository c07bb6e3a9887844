import { randomBytes } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { distEntry, type Infra, type KafkaBrokerHandle, type PostgresHandle, type ServiceName, type ServiceProcess, ServiceFleet, SERVICES, startInfra } from '@chat/local-infra';

/*
 * The harness's own chat system: one Kafka broker and one PostgreSQL in a temp dir on free ports,
 * and the services as OS processes (two gateways), all started through the launcher of
 * @chat/local-infra (startInfra + ServiceFleet). Every piece can be crashed and started again in
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
/** Other runs on the machine pick free ports too: a port taken between picking and binding is picked again. */
const PORT_ATTEMPTS = 3;

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

export interface ClusterOptions {
  workDir: string;
  workspaceRoot: string;
  log: (message: string) => void;
}

export class Cluster {
  private constructor(
    private readonly appsDir: string,
    private readonly infra: Infra,
    private readonly fleet: ServiceFleet,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const { workDir, workspaceRoot, log } = options;
    const appsDir = await snapshotApps(workspaceRoot, path.basename(workDir));
    let infra: Infra;
    try {
      infra = await startInfra({
        workspaceRoot,
        kafka: { start: { dataDir: path.join(workDir, 'kafka'), readyTimeoutMs: INFRA_READY_TIMEOUT_MS } },
        postgres: { start: { dataDir: path.join(workDir, 'postgres'), readyTimeoutMs: INFRA_READY_TIMEOUT_MS } },
        portAttempts: PORT_ATTEMPTS,
      });
    } catch (error) {
      await rm(path.dirname(appsDir), { recursive: true, force: true });
      throw error;
    }
    log(`kafka ${infra.kafkaBrokers}, postgres 127.0.0.1:${infra.postgres?.port} (${workDir})`);
    const fleet = new ServiceFleet({
      workspaceRoot,
      appsDir,
      kafkaBrokers: infra.kafkaBrokers,
      databaseUrlFor: (database) => infra.databaseUrlFor(database),
      jwtSecret: randomBytes(48).toString('base64url'),
      logLevel: 'info',
      instances: INSTANCES.map((instance) => {
        const service: ServiceName = instance.startsWith('gateway') ? 'gateway' : (instance as ServiceName);
        return { name: instance, service, instanceId: `${instance}-fh`, env: service === 'gateway' ? GATEWAY_ENV : {} };
      }),
      generousAuthRateLimits: true,
      portAttempts: PORT_ATTEMPTS,
      logDir: path.join(workDir, 'logs'),
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    const cluster = new Cluster(appsDir, infra, fleet);
    try {
      await fleet.start();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get broker(): KafkaBrokerHandle {
    return this.infra.broker as KafkaBrokerHandle;
  }

  get postgres(): PostgresHandle {
    return this.infra.postgres as PostgresHandle;
  }

  get authUrl(): string {
    return `http://127.0.0.1:${this.fleet.httpPort('auth')}`;
  }

  gatewayUrl(index: number): string {
    return `ws://127.0.0.1:${this.gateway(index).httpPort}/ws`;
  }

  gateway(index: number): ServiceProcess {
    return this.process(index === 0 ? 'gateway-0' : 'gateway-1');
  }

  process(instance: InstanceName): ServiceProcess {
    return this.fleet.process(instance);
  }

  /** A crash (SIGKILL: nothing flushed or committed) and a start under the same instance id and port; does not wait for /readyz. */
  async crashAndRestart(instance: InstanceName): Promise<void> {
    await this.fleet.restart(instance, { signal: 'SIGKILL', waitForReady: false });
  }

  /** SIGKILL of the broker's JVM, then a start on the same port and data dir. */
  crashAndRestartBroker(): Promise<void> {
    return this.infra.crashAndRestartBroker();
  }

  /** A fast shutdown of PostgreSQL and a start on the same data dir and port. */
  restartPostgres(): Promise<void> {
    return this.infra.restartPostgres();
  }

  /** Whether every service process answers /readyz with 200 right now. */
  allReady(): Promise<boolean> {
    return this.fleet.allReady();
  }

  /** Services first (they flush to Kafka and PostgreSQL while stopping), then the broker, then PostgreSQL. */
  async stop(): Promise<void> {
    await this.fleet.stop();
    await this.infra.stop();
    await rm(path.dirname(this.appsDir), { recursive: true, force: true });
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
