import { labelsKey, type Labels, type MetricValue } from './sample-types';

export interface CounterSeriesView {
  name: string;
  labels: Labels;
  /** Sum over every instance ever seen (stopped ones keep their last value): never goes backwards. */
  total: number;
  /** Sum of the per-instance rates of live instances, per second. */
  perSecond: number;
}

interface Point {
  at: number;
  total: number;
}

interface SeriesState {
  name: string;
  labels: Labels;
  lastRaw: number;
  /** Reset-corrected count since the instance first reported this series. */
  total: number;
  /** Oldest first; spans the rate window plus one baseline point before it. */
  points: Point[];
}

interface InstanceCounters {
  lastAt: number;
  series: Map<string, SeriesState>;
}

/**
 * Cumulative counters of every instance, turned into cluster totals and rates. Counters restart at
 * zero when their process restarts; a sample in which any counter went down marks such a restart,
 * and then each counter's whole value is new counts (as Prometheus' rate() treats a reset).
 */
export class CounterAggregator {
  private readonly instances = new Map<string, InstanceCounters>();
  /** Totals of instances gone for good, by series, so forgetting an instance keeps its counts. */
  private readonly retired = new Map<string, { name: string; labels: Labels; total: number }>();

  constructor(private readonly rateWindowMs: number) {}

  /** `at` must grow per instance; the caller drops samples that arrive late or twice. */
  record(instance: string, at: number, counters: MetricValue[]): void {
    const known = this.instances.has(instance);
    const state = this.instances.get(instance) ?? { lastAt: at, series: new Map<string, SeriesState>() };
    this.instances.set(instance, state);
    const restarted = known && counters.some((c) => {
      const previous = state.series.get(seriesKey(c.name, c.labels));
      return previous !== undefined && c.value < previous.lastRaw;
    });
    for (const counter of counters) {
      const key = seriesKey(counter.name, counter.labels);
      let series = state.series.get(key);
      if (!series) {
        // A labelled counter appears with its first increment; on a known instance it was zero at
        // the previous sample, so the increment counts towards the rate instead of being the baseline.
        series = { name: counter.name, labels: counter.labels, lastRaw: 0, total: 0, points: known ? [{ at: state.lastAt, total: 0 }] : [] };
        state.series.set(key, series);
      }
      const delta = restarted || counter.value < series.lastRaw ? counter.value : counter.value - series.lastRaw;
      series.lastRaw = counter.value;
      series.total += delta;
      series.points.push({ at, total: series.total });
      prune(series.points, at - this.rateWindowMs);
    }
    state.lastAt = at;
  }

  /** Forgets an instance's state, keeping its totals. Should it come back, it starts as a new instance. */
  retire(instance: string): void {
    const state = this.instances.get(instance);
    if (!state) return;
    for (const [key, series] of state.series) {
      const retired = this.retired.get(key) ?? { name: series.name, labels: series.labels, total: 0 };
      retired.total += series.total;
      this.retired.set(key, retired);
    }
    this.instances.delete(instance);
  }

  /** Cluster-wide series of one counter name (or all), summed over instances by label set. */
  series(isLive: (instance: string) => boolean, name?: string): CounterSeriesView[] {
    const sums = new Map<string, CounterSeriesView>();
    for (const [key, retired] of this.retired) {
      if (name === undefined || retired.name === name) sums.set(key, { name: retired.name, labels: retired.labels, total: retired.total, perSecond: 0 });
    }
    for (const [instance, state] of this.instances) {
      const live = isLive(instance);
      for (const [key, series] of state.series) {
        if (name !== undefined && series.name !== name) continue;
        const sum = sums.get(key) ?? { name: series.name, labels: series.labels, total: 0, perSecond: 0 };
        sum.total += series.total;
        // A series missing from the instance's latest sample has no current rate.
        if (live && series.points[series.points.length - 1]?.at === state.lastAt) sum.perSecond += rateOf(series.points);
        sums.set(key, sum);
      }
    }
    return [...sums.values()].sort((a, b) => a.name.localeCompare(b.name) || labelsKey(a.labels).localeCompare(labelsKey(b.labels)));
  }
}

function seriesKey(name: string, labels: Labels): string {
  return `${name}{${labelsKey(labels)}}`;
}

/** Keeps the newest point at or before `from` as the baseline and everything after it. */
function prune(points: Point[], from: number): void {
  let firstKept = 0;
  for (let i = 0; i < points.length - 1; i += 1) {
    if (points[i + 1].at <= from) firstKept = i + 1;
  }
  if (firstKept > 0) points.splice(0, firstKept);
}

/** Per-second rate over the window, in the instance's own clock (no cross-host skew). */
function rateOf(points: Point[]): number {
  if (points.length < 2) return 0;
  const first = points[0];
  const last = points[points.length - 1];
  const seconds = (last.at - first.at) / 1000;
  return seconds > 0 ? (last.total - first.total) / seconds : 0;
}
