import { addCounters, emptyCounters, type TickCounters, type TickMessage } from '../workers/messages';
import { LatencyHistogram, type LatencySummary } from './latency';

/** One second of a scenario, as charted: counts in that second and the latencies recorded in it. */
export interface SecondBucket {
  /** Seconds since the scenario's start. */
  t: number;
  counters: TickCounters;
  deliveredMs: LatencySummary | undefined;
  acceptedMs: LatencySummary | undefined;
  /** Clients ready at the end of the second, over all workers. */
  ready: number;
  readyByGateway: number[];
}

interface OpenBucket {
  counters: TickCounters;
  delivered: LatencyHistogram | undefined;
  accepted: LatencyHistogram | undefined;
  /** Filled when the second is closed (its histograms summarized and dropped). */
  deliveredMs?: LatencySummary;
  acceptedMs?: LatencySummary;
  gauges: Map<number, { ready: number; readyByGateway: number[] }>;
}

/** A second is summarized once ticks of this many later seconds arrived (ticks of all workers are in by then). */
const CLOSE_AFTER_SECONDS = 3;

/**
 * Collects the workers' ticks of one scenario (or one step of it): totals, whole-run latency
 * histograms, and per-second buckets for the chart. `mark()` starts a new measured window without
 * losing the timeline (e.g. the steps of `max`).
 */
export class ScenarioRecorder {
  readonly startedAt = Date.now();
  totals: TickCounters = emptyCounters();
  delivered = new LatencyHistogram();
  accepted = new LatencyHistogram();
  stored = new LatencyHistogram();
  readonly errorSamples: string[] = [];
  private readonly buckets = new Map<number, OpenBucket>();
  private readonly latestGauges = new Map<number, { ready: number; readyByGateway: number[]; rssBytes: number }>();

  record(tick: TickMessage): void {
    addCounters(this.totals, tick.counters);
    const second = Math.max(0, Math.floor((tick.at - this.startedAt) / 1000));
    const bucket = this.bucket(second);
    addCounters(bucket.counters, tick.counters);
    if (tick.histograms.delivered) {
      this.delivered.addEncoded(tick.histograms.delivered);
      (bucket.delivered ??= new LatencyHistogram()).addEncoded(tick.histograms.delivered);
    }
    if (tick.histograms.accepted) {
      this.accepted.addEncoded(tick.histograms.accepted);
      (bucket.accepted ??= new LatencyHistogram()).addEncoded(tick.histograms.accepted);
    }
    this.closeBefore(second - CLOSE_AFTER_SECONDS);
    if (tick.histograms.stored) this.stored.addEncoded(tick.histograms.stored);
    bucket.gauges.set(tick.workerIndex, { ready: tick.gauges.ready, readyByGateway: tick.gauges.readyByGateway });
    this.latestGauges.set(tick.workerIndex, { ready: tick.gauges.ready, readyByGateway: tick.gauges.readyByGateway, rssBytes: tick.gauges.rssBytes });
    for (const sample of tick.errorSamples) if (this.errorSamples.length < 20) this.errorSamples.push(sample);
  }

  /** Starts a fresh measured window (totals and histograms); the per-second timeline continues. */
  mark(): void {
    this.totals = emptyCounters();
    this.delivered = new LatencyHistogram();
    this.accepted = new LatencyHistogram();
    this.stored = new LatencyHistogram();
  }

  get secondsElapsed(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /** Ready clients over all workers, by their latest tick. */
  get ready(): number {
    let sum = 0;
    for (const gauge of this.latestGauges.values()) sum += gauge.ready;
    return sum;
  }

  get readyByGateway(): number[] {
    const sums: number[] = [];
    for (const gauge of this.latestGauges.values()) gauge.readyByGateway.forEach((n, i) => (sums[i] = (sums[i] ?? 0) + n));
    return sums;
  }

  get workerRssBytes(): number[] {
    return [...this.latestGauges.values()].map((g) => g.rssBytes);
  }

  timeline(): SecondBucket[] {
    return [...this.buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, bucket]) => {
        let ready = 0;
        const readyByGateway: number[] = [];
        for (const gauge of bucket.gauges.values()) {
          ready += gauge.ready;
          gauge.readyByGateway.forEach((n, i) => (readyByGateway[i] = (readyByGateway[i] ?? 0) + n));
        }
        return {
          t,
          counters: bucket.counters,
          deliveredMs: bucket.deliveredMs ?? bucket.delivered?.summary(),
          acceptedMs: bucket.acceptedMs ?? bucket.accepted?.summary(),
          ready,
          readyByGateway,
        };
      });
  }

  /** Summarizes the seconds before `t` and drops their histograms (an HdrHistogram per second would add up). */
  private closeBefore(t: number): void {
    for (const [second, bucket] of this.buckets) {
      if (second >= t) continue;
      if (bucket.delivered) bucket.deliveredMs = bucket.delivered.summary();
      if (bucket.accepted) bucket.acceptedMs = bucket.accepted.summary();
      bucket.delivered = undefined;
      bucket.accepted = undefined;
    }
  }

  private bucket(t: number): OpenBucket {
    let bucket = this.buckets.get(t);
    if (!bucket) {
      bucket = { counters: emptyCounters(), delivered: undefined, accepted: undefined, gauges: new Map() };
      this.buckets.set(t, bucket);
    }
    return bucket;
  }
}
