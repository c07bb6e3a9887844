import { build, encodeIntoCompressedBase64, type Histogram as HdrHistogram } from 'hdr-histogram-js';
import { Histogram, type Registry } from 'prom-client';
import { labelKey, type Labels } from './labels';

/** Prometheus buckets in seconds, from half a millisecond to ten seconds. */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The HdrHistogram range, in microseconds: 1 µs to one hour; longer values are recorded as one hour. */
export const HDR_HIGHEST_MICROS = 3_600_000_000;
const HDR_SIGNIFICANT_DIGITS = 3;

/** What a latency histogram hands to a sample: the values recorded since the previous one. */
export interface HistogramDelta {
  name: string;
  labels: Record<string, string>;
  count: number;
  encoded: string;
}

interface Series {
  labels: Record<string, string>;
  hdr: HdrHistogram;
}

export function newHdrHistogram(): HdrHistogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HDR_HIGHEST_MICROS, numberOfSignificantValueDigits: HDR_SIGNIFICANT_DIGITS, autoResize: false });
}

/**
 * One latency figure recorded twice: into a prom-client histogram in seconds (cumulative buckets,
 * for Prometheus' `histogram_quantile`) and into an HdrHistogram in microseconds per label set,
 * whose contents since the last sample travel in `MetricsSample` so the metrics service can merge
 * exact percentiles across instances. The HDR twin is named like the Prometheus one with
 * `_seconds` replaced by `_microseconds`.
 */
export class LatencyHistogram<L extends string = never> {
  readonly hdrName: string;
  private readonly histogram: Histogram<L>;
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    help: string,
    labelNames: readonly L[],
    registry: Registry,
  ) {
    if (!name.endsWith('_seconds')) throw new Error(`latency metric ${name}: the name must end in _seconds`);
    this.hdrName = `${name.slice(0, -'_seconds'.length)}_microseconds`;
    this.histogram = new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS_SECONDS, registers: [registry] });
  }

  /**
   * Records one duration in milliseconds (fractions welcome), `times` times (the same latency of
   * many deliveries, recorded at the cost of one); negative values (clock skew) count as 0.
   */
  record(labels: Labels<L>, milliseconds: number, times = 1): void {
    if (times <= 0) return;
    const ms = Number.isFinite(milliseconds) ? Math.max(0, milliseconds) : 0;
    for (let i = 0; i < times; i += 1) this.histogram.observe(labels, ms / 1000);
    const key = labelKey(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { ...labels }, hdr: newHdrHistogram() };
      this.series.set(key, series);
    }
    series.hdr.recordValueWithCount(Math.min(HDR_HIGHEST_MICROS, Math.round(ms * 1000)), times);
  }

  /** Starts a stopwatch; calling the result records the time since, with these labels. */
  startTimer(labels: Labels<L>): () => number {
    const started = performance.now();
    return () => {
      const elapsed = performance.now() - started;
      this.record(labels, elapsed);
      return elapsed;
    };
  }

  /** The values recorded since the previous call, one delta per label set that has any; then starts afresh. */
  takeDeltas(): HistogramDelta[] {
    const deltas: HistogramDelta[] = [];
    for (const { labels, hdr } of this.series.values()) {
      if (hdr.totalCount === 0) continue;
      deltas.push({ name: this.hdrName, labels: { ...labels }, count: hdr.totalCount, encoded: encodeIntoCompressedBase64(hdr) });
      hdr.reset();
    }
    return deltas;
  }
}
