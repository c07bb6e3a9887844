import { decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { newHdrHistogram } from '@chat/telemetry';

/** Latency percentiles in milliseconds (the shape the baselines report too). */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  count: number;
}

export const EMPTY_SUMMARY: LatencySummary = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 };

/**
 * Latencies in milliseconds collected into an HdrHistogram of microseconds (1 µs – 1 h, 3 significant
 * digits, the same as libs/telemetry), so histograms from several worker processes merge exactly.
 */
export class LatencyHistogram {
  private readonly histogram: Histogram = newHdrHistogram();

  record(milliseconds: number): void {
    const micros = Number.isFinite(milliseconds) ? Math.round(Math.max(0, milliseconds) * 1000) : 0;
    this.histogram.recordValue(Math.min(this.histogram.highestTrackableValue, Math.max(1, micros)));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** Adds what another process encoded (see takeEncoded). */
  addEncoded(encoded: string): void {
    const other = decodeFromCompressedBase64(encoded);
    this.histogram.add(other);
    other.destroy();
  }

  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  /** The values recorded since the last call, compressed for IPC; undefined when there were none. Resets. */
  takeEncoded(): string | undefined {
    if (this.histogram.totalCount === 0) return undefined;
    const encoded = encodeIntoCompressedBase64(this.histogram);
    this.histogram.reset();
    return encoded;
  }

  summary(): LatencySummary {
    return summarizeHistogram(this.histogram);
  }
}

/** The percentiles of an HdrHistogram of microseconds, in milliseconds rounded to the microsecond. */
export function summarizeHistogram(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0) return { ...EMPTY_SUMMARY };
  const ms = (micros: number) => Math.round(micros) / 1000;
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
    count: histogram.totalCount,
  };
}
