import type { Admin } from 'kafkajs';
import { groupLag, isDeadLetterTopic, isReportedGroup, topicSize, type GroupLag, type TopicSize, type Watermarks } from './consumer-lag';

/** The admin calls used, so tests can hand in a typed fake. */
export type OffsetsAdmin = Pick<Admin, 'listGroups' | 'listTopics' | 'describeGroups' | 'fetchOffsets' | 'fetchTopicOffsets'>;

export interface ClusterOffsets {
  groups: GroupLag[];
  deadLetters: TopicSize[];
}

/** Requests in flight at once against the broker, so a cluster with many groups is read gently. */
const CONCURRENCY = 8;

/**
 * One round of admin requests: every group's committed offsets, the watermarks of the topics they
 * read and of every dead-letter topic. Read-only: never `resolveOffsets`, which would write offsets.
 */
export async function readClusterOffsets(admin: OffsetsAdmin): Promise<ClusterOffsets> {
  const [{ groups }, topicNames] = await Promise.all([admin.listGroups(), admin.listTopics()]);
  const existing = new Set(topicNames);
  const groupIds = groups.map((g) => g.groupId).filter(isReportedGroup).sort();
  const states = new Map<string, string>();
  if (groupIds.length > 0) {
    for (const group of (await admin.describeGroups(groupIds)).groups) states.set(group.groupId, group.state);
  }
  const committed = await mapLimit(groupIds, async (groupId) => ({ groupId, offsets: await admin.fetchOffsets({ groupId }) }));

  const wanted = new Set(topicNames.filter(isDeadLetterTopic));
  for (const { offsets } of committed) for (const { topic } of offsets) if (existing.has(topic)) wanted.add(topic);
  const watermarks = new Map<string, Watermarks[]>(await mapLimit([...wanted], async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const));

  return {
    groups: committed.map(({ groupId, offsets }) => groupLag(groupId, states.get(groupId) ?? 'Unknown', offsets, watermarks)),
    deadLetters: [...wanted]
      .filter(isDeadLetterTopic)
      .sort()
      .map((topic) => topicSize(topic, watermarks.get(topic) ?? [])),
  };
}

async function mapLimit<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return results;
}
