import { DLQ_SUFFIX } from '@chat/protocol';

/**
 * Groups left out of lag reporting, on purpose: both commit no offsets (in-memory views rebuilt from
 * the start of their topics on every run, and this service's own sample readers), and each run
 * creates a new one, so they would only add rows without a lag. Every other group is reported,
 * including stopped ones (their lag grows, which is worth seeing) and e2e test readers.
 */
export const IGNORED_GROUP_PREFIXES = ['router.views.', 'metrics.samples.'] as const;

export function isReportedGroup(groupId: string): boolean {
  return !IGNORED_GROUP_PREFIXES.some((prefix) => groupId.startsWith(prefix));
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith(DLQ_SUFFIX);
}

export interface Watermarks {
  partition: number;
  /** Offset of the next record to be written. */
  high: string;
  /** Offset of the oldest record still retained. */
  low: string;
}

export interface CommittedOffsets {
  topic: string;
  partitions: { partition: number; offset: string }[];
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's next offset to read; null when it never committed on this partition. */
  committedOffset: number | null;
  highWatermark: number | null;
  /** Records written and not yet consumed; null when unknown (no commit, or the topic is gone). */
  lag: number | null;
}

export interface GroupLag {
  groupId: string;
  /** Stable, Empty (no member: nobody consumes), PreparingRebalance, …; "Unknown" if not described. */
  state: string;
  /** Sum of the known partition lags. */
  lag: number;
  partitions: PartitionLag[];
}

/**
 * Lag of one group: per partition, the high watermark minus the committed offset. Records removed
 * by retention before the group read them can no longer be consumed, so they do not count.
 */
export function groupLag(groupId: string, state: string, committed: CommittedOffsets[], watermarks: ReadonlyMap<string, Watermarks[]>): GroupLag {
  const partitions: PartitionLag[] = [];
  for (const { topic, partitions: offsets } of committed) {
    const marks = new Map((watermarks.get(topic) ?? []).map((w) => [w.partition, w]));
    for (const { partition, offset } of offsets) {
      const committedOffset = Number(offset) >= 0 ? Number(offset) : null;
      const mark = marks.get(partition);
      const highWatermark = mark ? Number(mark.high) : null;
      const lag = committedOffset === null || mark === undefined ? null : Math.max(0, Number(mark.high) - Math.max(committedOffset, Number(mark.low)));
      partitions.push({ topic, partition, committedOffset, highWatermark, lag });
    }
  }
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { groupId, state, lag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0), partitions };
}

export interface TopicSize {
  topic: string;
  /** Records currently retained: high minus low watermark, summed over partitions. */
  records: number;
}

export function topicSize(topic: string, watermarks: Watermarks[]): TopicSize {
  return { topic, records: watermarks.reduce((sum, w) => sum + Math.max(0, Number(w.high) - Number(w.low)), 0) };
}
