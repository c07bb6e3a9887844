import { Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { EnvelopeOf, MetricsSample, ServiceName } from '@chat/protocol';
import type { Labels } from './labels';
import { LatencyHistogram } from './latency-histogram';

type MetricsSamplePayload = EnvelopeOf<typeof MetricsSample>['payload'];

/** What an instance reports in a `MetricsSample`, next to who it is and when. */
export type SampleFigures = Pick<MetricsSamplePayload, 'counters' | 'gauges' | 'histograms'>;

/** The bounds of `MetricsSample` (libs/protocol): a sample beyond them would not validate. */
const MAX_SAMPLE_VALUES = 5000;
const MAX_SAMPLE_HISTOGRAMS = 200;
const MAX_LABEL_VALUE_CHARS = 200;

export interface MetricOptions {
  /** false: on `/metrics` only, left out of `MetricsSample` (e.g. figures the metrics service computes itself). Default true. */
  sampled?: boolean;
}

export interface GaugeOptions<L extends string> extends MetricOptions {
  /** Called whenever the gauge is read (scrape or sample), to set its current values. */
  collect?: (gauge: GaugeMetric<L>) => void;
}

/** A monotonically increasing count; cumulative since the process started. */
export interface CounterMetric<L extends string = never> {
  readonly name: string;
  inc(labels: Labels<L>, by?: number): void;
}

/** A value that goes up and down; current. */
export interface GaugeMetric<L extends string = never> {
  readonly name: string;
  set(labels: Labels<L>, value: number): void;
  inc(labels: Labels<L>, by?: number): void;
  dec(labels: Labels<L>, by?: number): void;
  /** Forgets one series, e.g. the lag of a partition this consumer no longer holds. */
  remove(labels: Labels<L>): void;
}

type Entry =
  | { kind: 'counter'; labelNames: readonly string[]; sampled: boolean; prom: Counter<string>; metric: CounterMetric<string> }
  | { kind: 'gauge'; labelNames: readonly string[]; sampled: boolean; prom: Gauge<string>; metric: GaugeMetric<string> }
  | { kind: 'latency'; labelNames: readonly string[]; sampled: boolean; metric: LatencyHistogram<string> };

/**
 * The figures of one process: one prom-client registry (what `GET /metrics` serves) and, for the
 * metrics created here, a snapshot in `MetricsSample` form (what the process publishes on
 * `ops.metrics`). Metrics are created once by name: asking again for the same name and kind returns
 * the same metric, so two modules counting one thing share it; the same name with another kind or
 * other labels is a programming error and throws.
 *
 * Code uses the process-wide `telemetry` instance; tests make their own.
 */
export class Telemetry {
  readonly registry = new Registry();
  private readonly logger = new Logger(Telemetry.name);
  private readonly entries = new Map<string, Entry>();
  private defaultMetrics = false;

  /** Labels every series with the service and instance and starts the process metrics (CPU, memory, event loop, GC). */
  configure(identity: { service: ServiceName; instanceId: string }): void {
    this.registry.setDefaultLabels({ service: identity.service, instance: identity.instanceId });
    if (!this.defaultMetrics) {
      collectDefaultMetrics({ register: this.registry });
      this.defaultMetrics = true;
    }
  }

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], options: MetricOptions = {}): CounterMetric<L> {
    const existing = this.existing(name, 'counter', labelNames);
    if (existing?.kind === 'counter') return existing.metric;
    const prom = new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    const metric: CounterMetric<L> = { name, inc: (labels, by = 1) => prom.inc(labels, by) };
    this.entries.set(name, { kind: 'counter', labelNames, sampled: options.sampled ?? true, prom, metric });
    return metric;
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], options: GaugeOptions<L> = {}): GaugeMetric<L> {
    const existing = this.existing(name, 'gauge', labelNames);
    if (existing?.kind === 'gauge') return existing.metric;
    const collect = options.collect;
    const prom = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      // Runs only when the gauge is read, by which time `metric` below exists.
      ...(collect ? { collect: () => collect(metric) } : {}),
    });
    const metric: GaugeMetric<L> = {
      name,
      set: (labels, value) => prom.set(labels, value),
      inc: (labels, by = 1) => prom.inc(labels, by),
      dec: (labels, by = 1) => prom.dec(labels, by),
      remove: (labels) => prom.remove(labels),
    };
    this.entries.set(name, { kind: 'gauge', labelNames, sampled: options.sampled ?? true, prom, metric });
    return metric;
  }

  /** A duration, in a Prometheus histogram (`<name>`, seconds) and an HdrHistogram twin (`<name without _seconds>_microseconds`) for samples. */
  latency<L extends string = never>(name: string, help: string, labelNames: readonly L[] = [], options: MetricOptions = {}): LatencyHistogram<L> {
    const existing = this.existing(name, 'latency', labelNames);
    if (existing?.kind === 'latency') return existing.metric;
    const metric = new LatencyHistogram<L>(name, help, labelNames, this.registry);
    this.entries.set(name, { kind: 'latency', labelNames, sampled: options.sampled ?? true, metric });
    return metric;
  }

  /** The Prometheus text exposition of every metric of the registry. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * This process' figures in `MetricsSample` form: counters cumulative, gauges current (labels
   * without the default service/instance ones, which the sample names once), and for every latency
   * the HdrHistogram of the values recorded since the previous snapshot, which is then reset. So
   * each recorded value travels in exactly one snapshot.
   */
  async snapshotSample(): Promise<SampleFigures> {
    const counters: SampleFigures['counters'] = [];
    const gauges: SampleFigures['gauges'] = [];
    const histograms: SampleFigures['histograms'] = [];
    for (const [name, entry] of this.entries) {
      if (!entry.sampled) continue;
      if (entry.kind === 'latency') {
        histograms.push(...entry.metric.takeDeltas().map((delta) => ({ ...delta, labels: sampleLabels(delta.labels) })));
        continue;
      }
      const { values } = await entry.prom.get();
      const target = entry.kind === 'counter' ? counters : gauges;
      for (const { labels, value } of values) {
        if (Number.isFinite(value)) target.push({ name, labels: sampleLabels(labels), value });
      }
    }
    return { counters: this.capped('counters', counters, MAX_SAMPLE_VALUES), gauges: this.capped('gauges', gauges, MAX_SAMPLE_VALUES), histograms: this.capped('histograms', histograms, MAX_SAMPLE_HISTOGRAMS) };
  }

  private existing(name: string, kind: Entry['kind'], labelNames: readonly string[]): Entry | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    if (entry.kind !== kind || entry.labelNames.join(',') !== labelNames.join(',')) {
      throw new Error(`metric ${name} already exists as a ${entry.kind} with labels [${entry.labelNames.join(', ')}]`);
    }
    return entry;
  }

  private capped<T>(what: string, items: T[], max: number): T[] {
    if (items.length <= max) return items;
    this.logger.warn({ msg: 'metrics sample truncated: too many series', what, series: items.length, kept: max });
    return items.slice(0, max);
  }
}

function sampleLabels(labels: Partial<Record<string, string | number>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    if (value !== undefined) result[name] = String(value).slice(0, MAX_LABEL_VALUE_CHARS);
  }
  return result;
}

/** The figures of this process. `runService` configures it with the service's identity. */
export const telemetry = new Telemetry();
