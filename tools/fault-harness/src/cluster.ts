import { randomBytes } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import {
  distEntry,
  generateJwtKeys,
  type Infra,
  kafkaJsClientSecurity,
  type KafkaBrokerHandle,
  type KafkaClusterHandle,
  type PostgresHandle,
  type ServiceName,
  type ServiceProcess,
  ServiceFleet,
  SERVICES,
  startInfra,
  startKafkaCluster,
} from '@chat/local-infra';
import { Topics } from '@chat/protocol';

/*
 * The harness's own chat system: one Kafka broker (or a KRaft cluster of several, --brokers) and one PostgreSQL in a temp dir on free ports,
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
  /** Kafka brokers: 1 through startInfra, more as a KRaft cluster of their own (plaintext, loopback). */
  brokers: number;
  log: (message: string) => void;
}

/** The leader of a topic's busiest partitions, as found by kill-leader. */
export interface BusiestLeader {
  nodeId: number;
  topic: string;
  /** Partitions it leads, busiest first, with their record counts. */
  partitions: Array<{ partition: number; records: number }>;
}

export class Cluster {
  private constructor(
    private readonly appsDir: string,
    private readonly infra: Infra,
    private readonly fleet: ServiceFleet,
    private readonly kafkaCluster: KafkaClusterHandle | undefined,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const { workDir, workspaceRoot, log } = options;
    const appsDir = await snapshotApps(workspaceRoot, path.basename(workDir));
    let infra: Infra;
    let kafkaCluster: KafkaClusterHandle | undefined;
    try {
      if (options.brokers > 1) {
        kafkaCluster = await startKafkaCluster({ dataDir: path.join(workDir, 'kafka'), nodes: options.brokers, readyTimeoutMs: INFRA_READY_TIMEOUT_MS });
      }
      infra = await startInfra({
        workspaceRoot,
        // One broker: SASL_SSL with a principal per service and the ACLs, as in production.
        kafka: kafkaCluster ? { external: kafkaCluster.brokers } : { start: { dataDir: path.join(workDir, 'kafka'), readyTimeoutMs: INFRA_READY_TIMEOUT_MS, secure: true } },
        postgres: { start: { dataDir: path.join(workDir, 'postgres'), readyTimeoutMs: INFRA_READY_TIMEOUT_MS } },
        portAttempts: PORT_ATTEMPTS,
      });
    } catch (error) {
      await kafkaCluster?.stop();
      await rm(path.dirname(appsDir), { recursive: true, force: true });
      throw error;
    }
    log(`kafka ${infra.kafkaBrokers}${kafkaCluster ? ` (${options.brokers} KRaft nodes)` : ''}, postgres 127.0.0.1:${infra.postgres?.port} (${workDir})`);
    const fleet = new ServiceFleet({
      workspaceRoot,
      appsDir,
      kafkaBrokers: infra.kafkaBrokers,
      // The KRaft cluster is plaintext: no credentials inherited from whoever started the harness.
      kafkaSecurity: kafkaCluster ? 'plaintext' : infra.servicesKafkaSecurity,
      databaseUrlFor: (database) => infra.databaseUrlFor(database),
      jwtKeys: generateJwtKeys(),
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
    const cluster = new Cluster(appsDir, infra, fleet, kafkaCluster);
    try {
      await fleet.start();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }


  get kafkaBrokers(): string {
    return this.infra.kafkaBrokers;
  }

  /** A kafkajs admin on the harness's brokers, for looking from outside (the caller disconnects it). */
  kafkaAdmin() {
    return new Kafka({ clientId: 'fault-harness', brokers: this.infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, ...kafkaJsClientSecurity(this.infra.kafkaSecurity, 'admin') }).admin();
  }

  /**
   * The broker leading the most records of chat.commands (the send path): the partitions' record
   * counts (high watermark minus low) summed per leader from the metadata kafkajs admin fetches.
   */
  async busiestLeader(topic = Topics.commands.name): Promise<BusiestLeader> {
    const admin = this.kafkaAdmin();
    await admin.connect();
    try {
      const [{ partitions }] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const offsets = await admin.fetchTopicOffsets(topic);
      const records = new Map(offsets.map((offset) => [offset.partition, Number(offset.high) - Number(offset.low)]));
      const byLeader = new Map<number, Array<{ partition: number; records: number }>>();
      for (const partition of partitions) {
        const led = byLeader.get(partition.leader) ?? [];
        led.push({ partition: partition.partitionId, records: records.get(partition.partitionId) ?? 0 });
        byLeader.set(partition.leader, led);
      }
      const total = (led: Array<{ records: number }>) => led.reduce((sum, p) => sum + p.records, 0);
      const [nodeId, led] = [...byLeader].sort(([, a], [, b]) => total(b) - total(a))[0];
      return { nodeId, topic, partitions: led.sort((a, b) => b.records - a.records) };
    } finally {
      await admin.disconnect();
    }
  }

  /** The values of the first `count` records of a topic, read from the start by a throwaway group. */
  async readTopic(topic: string, count: number, timeoutMs = 30_000): Promise<Array<Buffer | null>> {
    const consumer = new Kafka({ clientId: 'fault-harness', brokers: this.infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, ...kafkaJsClientSecurity(this.infra.kafkaSecurity, 'admin') }).consumer({ groupId: `fault-harness-reader-${randomBytes(6).toString('hex')}` });
    const values: Array<Buffer | null> = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${count} records of ${topic} within ${timeoutMs / 1000} s`)), timeoutMs);
        void consumer.run({
          eachMessage: async ({ message }) => {
            values.push(message.value);
            if (values.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      return values;
    } finally {
      await consumer.disconnect();
    }
  }

  /** A broker of the KRaft cluster (--brokers > 1) by node id. */
  kafkaNode(nodeId: number): KafkaBrokerHandle {
    if (!this.kafkaCluster) throw new Error('the harness runs one broker: there is no leader to kill (use --brokers 3)');
    return this.kafkaCluster.node(nodeId);
  }

  /** Replicas and min.insync.replicas of a topic as the cluster has it. */
  async replicationOf(topic: string): Promise<{ replicas: number; minInsyncReplicas: number | undefined }> {
    const admin = this.kafkaAdmin();
    await admin.connect();
    try {
      const [{ partitions }] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
      const value = described.resources[0]?.configEntries.find((entry) => entry.configName === 'min.insync.replicas')?.configValue;
      return { replicas: partitions[0]?.replicas.length ?? 0, minInsyncReplicas: value === undefined ? undefined : Number(value) };
    } finally {
      await admin.disconnect();
    }
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
    await this.kafkaCluster?.stop();
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
