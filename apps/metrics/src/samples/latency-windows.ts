import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencyWindowSpec {
  /** Label used in the API and in Prometheus (`window`). */
  name: string;
  ms: number;
}

export const LATENCY_WINDOWS: readonly LatencyWindowSpec[] = [
  { name: '10s', ms: 10_000 },
  { name: '1m', ms: 60_000 },
  { name: '5m', ms: 300_000 },
];

/** Percentiles of one span over one window, in milliseconds; null while the window holds no value. */
export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

/** Each window is cut into about this many time buckets, so it slides in steps of 1/30 of its length. */
const BUCKETS_PER_WINDOW = 30;
const MIN_BUCKET_MS = 1000;

interface WindowBuckets {
  spec: LatencyWindowSpec;
  bucketMs: number;
  /** Bucket start (ms) → merged deltas recorded in that bucket. */
  buckets: Map<number, Histogram>;
}

interface SpanState {
  windows: WindowBuckets[];
  countSinceStart: number;
}

/**
 * Sliding-window latency percentiles from HdrHistogram deltas (microseconds). Each delta is added
 * into one time bucket per window; a window's histogram is the sum of its buckets still in range,
 * which is exact for counts and as precise as HdrHistogram (3 significant digits) for percentiles.
 */
export class LatencyWindows {
  private readonly spans = new Map<string, SpanState>();
  private readonly cache = new Map<string, { key: string; summary: LatencySummary }>();
  private version = 0;
  private readonly longestMs: number;

  constructor(private readonly windows: readonly LatencyWindowSpec[] = LATENCY_WINDOWS) {
    this.longestMs = Math.max(...windows.map((w) => w.ms));
  }

  /**
   * Adds one delta recorded around `at`. `at` comes from the sending instance's clock, so it is
   * clamped to `now`; a delta older than the longest window only counts towards the total.
   */
  record(span: string, at: number, delta: Histogram, now: number): void {
    const state = this.spanState(span);
    state.countSinceStart += delta.totalCount;
    const t = Math.min(at, now);
    if (delta.totalCount === 0 || t <= now - this.longestMs) return;
    for (const window of state.windows) {
      if (t <= now - window.spec.ms) continue;
      const start = Math.floor(t / window.bucketMs) * window.bucketMs;
      let bucket = window.buckets.get(start);
      if (!bucket) {
        bucket = build();
        window.buckets.set(start, bucket);
      }
      bucket.add(delta);
      evict(window, now);
    }
    this.version += 1;
  }

  spanNames(): string[] {
    return [...this.spans.keys()].sort();
  }

  countSinceStart(span: string): number {
    return this.spans.get(span)?.countSinceStart ?? 0;
  }

  summary(span: string, windowName: string, now: number): LatencySummary {
    const state = this.spans.get(span);
    const window = state?.windows.find((w) => w.spec.name === windowName);
    if (!window) return EMPTY;
    // Polls and scrapes ask many times a second; a merge is redone only when data or the second changed.
    const cacheKey = `${span}\u0000${windowName}`;
    const key = `${this.version}:${Math.floor(now / 1000)}`;
    const cached = this.cache.get(cacheKey);
    if (cached?.key === key) return cached.summary;
    evict(window, now);
    const merged = build();
    for (const [start, bucket] of window.buckets) {
      if (start + window.bucketMs > now - window.spec.ms) merged.add(bucket);
    }
    const summary = summarize(merged);
    this.cache.set(cacheKey, { key, summary });
    return summary;
  }

  private spanState(span: string): SpanState {
    let state = this.spans.get(span);
    if (!state) {
      state = {
        countSinceStart: 0,
        windows: this.windows.map((spec) => ({ spec, bucketMs: Math.max(MIN_BUCKET_MS, Math.ceil(spec.ms / BUCKETS_PER_WINDOW)), buckets: new Map() })),
      };
      this.spans.set(span, state);
    }
    return state;
  }
}

const EMPTY: LatencySummary = { count: 0, p50Ms: null, p90Ms: null, p99Ms: null, p999Ms: null, maxMs: null };

function evict(window: WindowBuckets, now: number): void {
  for (const start of window.buckets.keys()) {
    if (start + window.bucketMs <= now - window.spec.ms) window.buckets.delete(start);
  }
}

function summarize(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0) return EMPTY;
  const ms = (micros: number) => Math.round(micros) / 1000;
  return {
    count: histogram.totalCount,
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p90Ms: ms(histogram.getValueAtPercentile(90)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    p999Ms: ms(histogram.getValueAtPercentile(99.9)),
    maxMs: ms(histogram.maxValue),
  };
}
