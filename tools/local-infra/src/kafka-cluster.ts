import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { getFreePorts } from './free-port';
import { type KafkaBrokerHandle, runStorageFormat, startKafkaBroker } from './kafka-broker';
import { newClusterId, type PropertyValue, renderLog4j2Yaml, renderServerProperties } from './kafka-config';
import { ensureKafkaJars } from './kafka-jars';
import { findWorkspaceRoot } from './workspace';

/*
 * A multi-node KRaft cluster on loopback, plaintext, for the fault harness: every node is broker and
 * controller at once (a controller quorum of `nodes` voters, so it survives one node down when there
 * are three), each its own JVM with a small heap, started through startKafkaBroker with the
 * properties that make them one cluster. Replication of the internal topics follows the cluster:
 * min(3, nodes) copies, all but one in sync.
 */

export interface StartKafkaClusterOptions {
  /** Each node gets `<dataDir>/node-<id>`. */
  dataDir: string;
  /** Nodes (brokers and controllers); default 3. */
  nodes?: number;
  /** JVM heap per node in MiB; default 384. */
  heapMb?: number;
  /** How long a node may take to answer after a (re)start; default 120 s. */
  readyTimeoutMs?: number;
  /** Extra properties for every node. */
  properties?: Record<string, PropertyValue>;
  libsDir?: string;
}

export interface KafkaClusterHandle {
  /** Bootstrap list of every node, "127.0.0.1:p1,127.0.0.1:p2,…". */
  readonly brokers: string;
  /** Node ids (Kafka's node.id, 1..n) to their handles. */
  readonly nodes: ReadonlyMap<number, KafkaBrokerHandle>;
  node(id: number): KafkaBrokerHandle;
  /** SIGTERM every node (controlled shutdown). */
  stop(): Promise<void>;
}

/** Properties that make node `nodeId` one of a cluster with these controller ports (node i+1 has controllerPorts[i]). */
export function clusterProperties(nodeId: number, controllerPorts: number[]): Record<string, PropertyValue> {
  const nodes = controllerPorts.length;
  const replication = Math.min(3, nodes);
  const minInsync = Math.max(1, replication - 1);
  return {
    'node.id': nodeId,
    'controller.quorum.voters': controllerPorts.map((port, index) => `${index + 1}@127.0.0.1:${port}`).join(','),
    // Internal topics (group offsets, transactions) replicated like the services' topics.
    'offsets.topic.replication.factor': replication,
    'transaction.state.log.replication.factor': replication,
    'transaction.state.log.min.isr': minInsync,
    'default.replication.factor': replication,
    // The broker-wide default for topics created without it (the services always set it per topic).
    'min.insync.replicas': minInsync,
    // A replica that was not in sync never becomes leader: it would drop acknowledged records.
    'unclean.leader.election.enable': false,
  };
}

/** Formats one node's log dir with the cluster's shared id (startKafkaBroker would mint one per node). */
async function formatNode(libsDir: string, dataDir: string, clusterId: string, properties: string): Promise<void> {
  if (existsSync(path.join(dataDir, 'kraft-logs', 'meta.properties'))) return;
  const propertiesFile = path.join(dataDir, 'server.properties');
  const log4jFile = path.join(dataDir, 'log4j2.yaml');
  await writeFile(propertiesFile, properties);
  await writeFile(log4jFile, renderLog4j2Yaml());
  const args = ['-Xmx256m', `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', path.join(libsDir, '*'), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile];
  await runStorageFormat(args, dataDir);
}

/** Waits until every node is registered with the cluster (a node answering alone is not enough). */
async function waitForBrokers(brokers: string, count: number, timeoutMs: number): Promise<void> {
  const admin = new Kafka({ clientId: 'local-infra-cluster', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  try {
    while (Date.now() < deadline) {
      try {
        await admin.connect();
        seen = (await admin.describeCluster()).brokers.length;
        if (seen >= count) return;
      } catch {
        // not yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`only ${seen} of ${count} Kafka brokers registered within ${timeoutMs / 1000} s`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Starts `nodes` KRaft nodes at once (a quorum forms only when a majority runs) and waits until all are registered. */
export async function startKafkaCluster(options: StartKafkaClusterOptions): Promise<KafkaClusterHandle> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`a Kafka cluster needs at least one node, got ${count}`);
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const libsDir = options.libsDir ?? (await ensureKafkaJars(findWorkspaceRoot()));
  const ports = await getFreePorts(count * 2);
  const clientPorts = ports.slice(0, count);
  const controllerPorts = ports.slice(count);
  const clusterId = newClusterId();

  const specs = clientPorts.map((port, index) => {
    const nodeId = index + 1;
    const dataDir = path.resolve(options.dataDir, `node-${nodeId}`);
    const properties = { ...clusterProperties(nodeId, controllerPorts), ...options.properties };
    return { nodeId, dataDir, port, controllerPort: controllerPorts[index], properties };
  });
  await Promise.all(
    specs.map(async (spec) => {
      await mkdir(spec.dataDir, { recursive: true });
      const rendered = renderServerProperties({ port: spec.port, controllerPort: spec.controllerPort, logDir: path.join(spec.dataDir, 'kraft-logs'), overrides: spec.properties });
      await formatNode(libsDir, spec.dataDir, clusterId, rendered);
    }),
  );

  const started = await Promise.allSettled(
    specs.map((spec) =>
      startKafkaBroker({ dataDir: spec.dataDir, port: spec.port, controllerPort: spec.controllerPort, heapMb: options.heapMb, libsDir, properties: spec.properties, readyTimeoutMs }),
    ),
  );
  const handles = new Map<number, KafkaBrokerHandle>();
  started.forEach((result, index) => {
    if (result.status === 'fulfilled') handles.set(specs[index].nodeId, result.value);
  });
  const stop = async () => {
    await Promise.allSettled([...handles.values()].map((handle) => handle.stop()));
  };
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const brokers = clientPorts.map((port) => `127.0.0.1:${port}`).join(',');
  try {
    await waitForBrokers(brokers, count, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    brokers,
    nodes: handles,
    node(id: number) {
      const handle = handles.get(id);
      if (!handle) throw new Error(`no Kafka node ${id} (nodes: ${[...handles.keys()].join(', ')})`);
      return handle;
    },
    stop,
  };
}
