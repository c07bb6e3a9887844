import type { Admin } from 'kafkajs';
import { backoffDelay, sleep } from '@chat/helpers';
import type { PartitionEnd } from './view-progress';

/** The current end of every partition of the topics: what a view must have read to be current. */
export async function fetchTopicEnds(admin: Admin, topics: string[]): Promise<PartitionEnd[]> {
  const perTopic = await Promise.all(
    topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map(({ partition, high, low }) => ({ topic, partition, high, low }))),
  );
  return perTopic.flat();
}

/**
 * fetchTopicEnds, retried with backoff until the broker answers (a view that starts while Kafka is
 * away waits for it); null once `signal` aborts (the service stops).
 */
export async function fetchTopicEndsPatiently(
  admin: Admin,
  topics: string[],
  signal: AbortSignal,
  onRetry: (retryInMs: number, error: unknown) => void,
): Promise<PartitionEnd[] | null> {
  for (let attempt = 1; !signal.aborted; attempt += 1) {
    try {
      return await fetchTopicEnds(admin, topics);
    } catch (error) {
      const retryInMs = backoffDelay(attempt, { initialMs: 500, maxMs: 10_000 });
      onRetry(retryInMs, error);
      await sleep(retryInMs, signal);
    }
  }
  return null;
}
