import { RingBuffer } from './ring-buffer';

/** The figures of one second, as charted by the dashboard. null: nothing measured (a gap, not a zero). */
export interface ClusterPoint {
  t: number;
  messagesPerSecond: Record<string, number | null>;
  connections: number | null;
  /** Over the shortest latency window (10 s), in milliseconds. */
  latencyMs: Record<string, { p50: number | null; p99: number | null }>;
  consumerLag: number | null;
  deadLetters: number | null;
}

/** Column-wise so a chart reads one array per line, and the JSON stays small. */
export interface ClusterTimeSeries {
  intervalMs: number;
  /** Seconds covered by the answer (at most what was asked for and what is kept). */
  window: number;
  t: number[];
  messagesPerSecond: Record<string, (number | null)[]>;
  connections: (number | null)[];
  latencyMs: Record<string, { p50: (number | null)[]; p99: (number | null)[] }>;
  consumerLag: (number | null)[];
  deadLetters: (number | null)[];
}

export const SERIES_INTERVAL_MS = 1000;

/** One point per second for the last `capacity` seconds. */
export class ClusterSeries {
  private readonly points: RingBuffer<ClusterPoint>;

  constructor(readonly capacity: number) {
    this.points = new RingBuffer(capacity);
  }

  add(point: ClusterPoint): void {
    this.points.push(point);
  }

  /** The last `seconds` of points as columns; a stage or span first seen later is null before it. */
  columns(seconds: number): ClusterTimeSeries {
    const points = this.points.latest(Math.ceil((seconds * 1000) / SERIES_INTERVAL_MS));
    const stages = unionOfKeys(points.map((p) => p.messagesPerSecond));
    const spans = unionOfKeys(points.map((p) => p.latencyMs));
    return {
      intervalMs: SERIES_INTERVAL_MS,
      window: Math.round((points.length * SERIES_INTERVAL_MS) / 1000),
      t: points.map((p) => p.t),
      messagesPerSecond: Object.fromEntries(stages.map((stage) => [stage, points.map((p) => p.messagesPerSecond[stage] ?? null)])),
      connections: points.map((p) => p.connections),
      latencyMs: Object.fromEntries(
        spans.map((span) => [span, { p50: points.map((p) => p.latencyMs[span]?.p50 ?? null), p99: points.map((p) => p.latencyMs[span]?.p99 ?? null) }]),
      ),
      consumerLag: points.map((p) => p.consumerLag),
      deadLetters: points.map((p) => p.deadLetters),
    };
  }
}

/** Keys in first-seen order, so stages keep the flow order the aggregator lists them in. */
function unionOfKeys(records: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) keys.add(key);
  return [...keys];
}
