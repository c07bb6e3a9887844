import type { Admin } from 'kafkajs';
import type { PartitionEnd } from './view-progress';

/** The current end of every partition of the topics: what a view must have read to be current. */
export async function fetchTopicEnds(admin: Admin, topics: string[]): Promise<PartitionEnd[]> {
  const perTopic = await Promise.all(
    topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map(({ partition, high, low }) => ({ topic, partition, high, low }))),
  );
  return perTopic.flat();
}
