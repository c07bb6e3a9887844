import { Logger } from '@nestjs/common';
import type { Admin, ITopicConfig } from 'kafkajs';
import type { TopicSpec } from '@chat/protocol';

/**
 * How many copies of each partition, and how many of them must have a record before the producer's
 * `acks: -1` succeeds. 'auto' derives both from the brokers the cluster has when the topic is
 * created: min(3, brokers) copies, and all but one of them in sync (1 with a single copy), so one
 * broker can be down without refusing writes and an acknowledged record is on at least two brokers
 * as soon as there are two.
 */
export interface ReplicationPolicy {
  replicationFactor: number | 'auto';
  /** Default: replicationFactor - 1 (at least 1). */
  minInsyncReplicas?: number | 'auto';
}

/** The numbers a topic is created with. */
export interface TopicReplication {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** The most copies 'auto' makes: three survive one broker down with two still in sync. */
export const AUTO_MAX_REPLICATION = 3;

/**
 * Resolves a policy against a cluster of `brokers` brokers. Throws with a message naming the setting
 * when the policy cannot work there (Kafka itself would refuse the topic, or every write to it).
 */
export function resolveReplication(policy: ReplicationPolicy | number | 'auto', brokers?: number): TopicReplication {
  const { replicationFactor: factor, minInsyncReplicas: minInsync } = policyOf(policy);
  if (factor === 'auto' && brokers === undefined) throw new Error('replication factor auto needs the number of brokers');
  const replicationFactor = factor === 'auto' ? Math.max(1, Math.min(AUTO_MAX_REPLICATION, brokers ?? 1)) : factor;
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) throw new Error(`replication factor must be an integer ≥ 1, got ${String(factor)}`);
  if (brokers !== undefined && replicationFactor > brokers) {
    throw new Error(`replication factor ${replicationFactor} needs at least ${replicationFactor} brokers, the cluster has ${brokers} (KAFKA_REPLICATION_FACTOR)`);
  }
  const minInsyncReplicas = minInsync === undefined || minInsync === 'auto' ? Math.max(1, replicationFactor - 1) : minInsync;
  if (!Number.isInteger(minInsyncReplicas) || minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
    throw new Error(`min.insync.replicas must be between 1 and the replication factor ${replicationFactor}, got ${String(minInsync)} (KAFKA_MIN_INSYNC_REPLICAS)`);
  }
  return { replicationFactor, minInsyncReplicas };
}

function policyOf(policy: ReplicationPolicy | number | 'auto'): ReplicationPolicy {
  return typeof policy === 'object' ? policy : { replicationFactor: policy };
}

function configEntries(spec: TopicSpec, replication: TopicReplication): { name: string; value: string }[] {
  const entries = [
    { name: 'cleanup.policy', value: spec.compacted ? 'compact' : 'delete' },
    // Without it acks=all means "all replicas that happen to be in sync", which can be the leader alone.
    { name: 'min.insync.replicas', value: String(replication.minInsyncReplicas) },
  ];
  if (spec.retentionMs !== undefined) entries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  return entries;
}

/**
 * Creates the topics a service needs when they are missing, with the replication of `replication`
 * (a number is the replication factor; min.insync.replicas then follows it). Idempotent: existing
 * topics are left as they are (partition counts are never changed behind an operator's back, since
 * that would move keys), and a difference from the spec is logged.
 */
export async function provisionTopics(admin: Admin, specs: TopicSpec[], replication: ReplicationPolicy | number | 'auto'): Promise<string[]> {
  const logger = new Logger('TopicProvisioner');
  const unique = [...new Map(specs.map((spec) => [spec.name, spec])).values()];
  const existing = new Set(await admin.listTopics());
  const toCreate = unique.filter((spec) => !existing.has(spec.name));
  if (toCreate.length > 0) {
    // The cluster's size matters only to 'auto' (a fixed factor too large is refused by Kafka itself).
    const brokers = policyOf(replication).replicationFactor === 'auto' ? (await admin.describeCluster()).brokers.length : undefined;
    const resolved = resolveReplication(replication, brokers);
    const missing: ITopicConfig[] = toCreate.map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor: resolved.replicationFactor,
      configEntries: configEntries(spec, resolved),
    }));
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (error) {
      // Another instance may have created them between our list and create; that is fine.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
    }
    logger.log({ msg: 'created topics', topics: missing.map((t) => t.topic), ...resolved });
  }
  const present = unique.filter((spec) => existing.has(spec.name));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
    for (const topic of metadata.topics) {
      const spec = unique.find((s) => s.name === topic.name);
      if (spec && topic.partitions.length !== spec.partitions) {
        logger.warn({ msg: 'topic partition count differs from spec', topic: topic.name, actual: topic.partitions.length, spec: spec.partitions });
      }
      const wanted = policyOf(replication).replicationFactor;
      const replicas = topic.partitions[0]?.replicas?.length;
      if (typeof wanted === 'number' && replicas !== undefined && replicas !== wanted) {
        logger.warn({ msg: 'topic replication factor differs from the configured one', topic: topic.name, actual: replicas, configured: wanted });
      }
    }
  }
  return toCreate.map((spec) => spec.name);
}
