import { Logger } from '@nestjs/common';
import type { Admin, ITopicConfig } from 'kafkajs';
import type { TopicSpec } from '@chat/protocol';

function configEntries(spec: TopicSpec): { name: string; value: string }[] {
  const entries = [{ name: 'cleanup.policy', value: spec.compacted ? 'compact' : 'delete' }];
  if (spec.retentionMs !== undefined) entries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  return entries;
}

/**
 * Creates the topics a service needs when they are missing. Idempotent: existing topics are left as
 * they are (partition counts are never changed behind an operator's back, since that would move keys),
 * and a difference from the spec is logged.
 */
export async function provisionTopics(admin: Admin, specs: TopicSpec[], replicationFactor: number): Promise<string[]> {
  const logger = new Logger('TopicProvisioner');
  const unique = [...new Map(specs.map((spec) => [spec.name, spec])).values()];
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = unique
    .filter((spec) => !existing.has(spec.name))
    .map((spec) => ({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor,
      configEntries: configEntries(spec),
    }));
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (error) {
      // Another instance may have created them between our list and create; that is fine.
      if (!(error instanceof Error && /already exists/i.test(error.message))) throw error;
    }
    logger.log({ msg: 'created topics', topics: missing.map((t) => t.topic) });
  }
  const present = unique.filter((spec) => existing.has(spec.name));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
    for (const topic of metadata.topics) {
      const spec = unique.find((s) => s.name === topic.name);
      if (spec && topic.partitions.length !== spec.partitions) {
        logger.warn({ msg: 'topic partition count differs from spec', topic: topic.name, actual: topic.partitions.length, spec: spec.partitions });
      }
    }
  }
  return missing.map((t) => t.topic);
}
