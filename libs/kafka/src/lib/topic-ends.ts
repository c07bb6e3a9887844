import type { Admin } from 'kafkajs';
import { backoffDelay, sleep } from '@chat/helpers';
import type { PartitionEnd } from './view-progress';

/** Errors of a partition whose leader is being elected: just after the topic was created, or in a failover. */
const LEADER_MOVING = new Set(['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE']);
/** Attempts while a leader is elected (about 5 s in all): longer is a broker problem, told as the error. */
const LEADER_ATTEMPTS = 8;

/**
 * The current end of every partition of the topics: what a view must have read to be current. A
 * partition without a leader yet (a topic created a moment ago) is asked again after a short backoff.
 */
export async function fetchTopicEnds(admin: Admin, topics: string[]): Promise<PartitionEnd[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const perTopic = await Promise.all(
        topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map(({ partition, high, low }) => ({ topic, partition, high, low }))),
      );
      return perTopic.flat();
    } catch (error) {
      if (attempt >= LEADER_ATTEMPTS || !isLeaderMoving(error)) throw error;
      await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 1_000 }));
    }
  }
}

/** A kafkajs protocol error of an electing partition, possibly wrapped (kafkajs keeps the original as `cause`). */
function isLeaderMoving(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    if (LEADER_MOVING.has(String((current as { type?: unknown }).type))) return true;
  }
  return false;
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
