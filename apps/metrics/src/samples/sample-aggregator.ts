import { Logger } from '@nestjs/common';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import type { ServiceName } from '@chat/protocol';
import { CounterAggregator, type CounterSeriesView } from './counter-aggregator';
import { GaugeBoard } from './gauge-board';
import { LATENCY_WINDOWS, LatencyWindows, type LatencySummary } from './latency-windows';
import { instanceKey, type SamplePayload } from './sample-types';

/** What the services publish (see libs/telemetry); the stages and spans are listed even before traffic. */
export const MESSAGES_COUNTER = 'chat_messages_total';
export const MESSAGE_STAGES = ['accepted', 'stored', 'routed', 'delivered', 'echoed'] as const;
export const CONNECTIONS_GAUGE = 'chat_connections';
export const LATENCY_HISTOGRAM = 'chat_latency_microseconds';
export const LATENCY_SPANS = ['send_to_accepted', 'accepted_to_stored', 'stored_to_delivered', 'send_to_delivered'] as const;

/** Rates are measured over this much of each instance's recent samples. */
export const RATE_WINDOW_MS = 10_000;

/**
 * An instance silent this long is gone (replaced by another pod, scaled down): its state is dropped
 * and only its counter totals are kept, so memory does not grow with every instance ever seen.
 */
export const RETIRE_AFTER_MS = 60 * 60 * 1000;

export interface SampledInstance {
  service: ServiceName;
  instanceId: string;
  /** When the last sample arrived here (this host's clock). */
  lastSampleAt: number;
  intervalMs: number;
  /** No sample for longer than the allowed number of its intervals: its gauges and rates drop out. */
  missing: boolean;
}

export interface StageFigures {
  stage: string;
  total: number;
  perSecond: number;
}

export interface GatewayConnections {
  instanceId: string;
  connections: number;
}

export interface SpanLatency {
  span: string;
  countSinceStart: number;
  windows: Record<string, LatencySummary>;
}

interface InstanceState {
  service: ServiceName;
  instanceId: string;
  lastAt: number;
  lastSampleAt: number;
  intervalMs: number;
}

/** Cluster-wide figures from every instance's MetricsSample records. */
export class SampleAggregator {
  private readonly logger = new Logger(SampleAggregator.name);
  private readonly instances = new Map<string, InstanceState>();
  private readonly counters = new CounterAggregator(RATE_WINDOW_MS);
  private readonly gauges = new GaugeBoard();
  private readonly latency = new LatencyWindows(LATENCY_WINDOWS);
  private lastRetireCheck = 0;

  constructor(private readonly missedIntervalsBeforeMissing: number) {}

  /** Returns false for a sample older than one already taken from the same instance (late or replayed). */
  ingest(sample: SamplePayload, receivedAt: number): boolean {
    const key = instanceKey(sample.service, sample.instanceId);
    const previous = this.instances.get(key);
    if (previous && sample.at <= previous.lastAt) return false;
    this.retireSilent(receivedAt);
    this.instances.set(key, { service: sample.service, instanceId: sample.instanceId, lastAt: sample.at, lastSampleAt: receivedAt, intervalMs: sample.intervalMs });
    this.counters.record(key, sample.at, sample.counters);
    this.gauges.record(key, sample.gauges);
    for (const histogram of sample.histograms) {
      const span = histogram.labels['span'];
      if (histogram.name !== LATENCY_HISTOGRAM || span === undefined || histogram.count === 0) continue;
      try {
        this.latency.record(span, sample.at, decodeFromCompressedBase64(histogram.encoded), receivedAt);
      } catch (error) {
        // One undecodable histogram must not cost the sample's counters and gauges.
        this.logger.warn({ msg: 'latency histogram not decodable', instance: key, span, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return true;
  }

  instanceList(now: number): SampledInstance[] {
    return [...this.instances.values()]
      .map(({ service, instanceId, lastSampleAt, intervalMs }) => ({ service, instanceId, lastSampleAt, intervalMs, missing: this.isMissing(lastSampleAt, intervalMs, now) }))
      .sort((a, b) => a.service.localeCompare(b.service) || a.instanceId.localeCompare(b.instanceId));
  }

  /** Every stage of chat_messages_total: the known ones always, in flow order, then any other reported. */
  messageStages(now: number): StageFigures[] {
    const reported = this.counters.series(this.liveness(now), MESSAGES_COUNTER);
    const byStage = new Map<string, StageFigures>(MESSAGE_STAGES.map((stage) => [stage, { stage, total: 0, perSecond: 0 }]));
    for (const series of reported) {
      const stage = series.labels['stage'] ?? '';
      const figures = byStage.get(stage) ?? { stage, total: 0, perSecond: 0 };
      figures.total += series.total;
      figures.perSecond += series.perSecond;
      byStage.set(stage, figures);
    }
    return [...byStage.values()];
  }

  /** True once some instance reported a message counter (so a rate of 0 is a measurement, not a default). */
  hasMessageCounters(): boolean {
    return this.counters.series(() => false, MESSAGES_COUNTER).length > 0;
  }

  allCounters(now: number): CounterSeriesView[] {
    return this.counters.series(this.liveness(now));
  }

  connections(now: number): { total: number; byGateway: GatewayConnections[]; reporting: boolean } {
    const byInstance = new Map<string, GatewayConnections>();
    for (const gauge of this.gauges.values(CONNECTIONS_GAUGE, this.liveness(now))) {
      const state = this.instances.get(gauge.instance);
      if (!state) continue;
      const entry = byInstance.get(gauge.instance) ?? { instanceId: state.instanceId, connections: 0 };
      entry.connections += gauge.value;
      byInstance.set(gauge.instance, entry);
    }
    const byGateway = [...byInstance.values()].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    return { total: byGateway.reduce((sum, g) => sum + g.connections, 0), byGateway, reporting: byGateway.length > 0 };
  }

  latencyBySpan(now: number): SpanLatency[] {
    const spans = [...new Set<string>([...LATENCY_SPANS, ...this.latency.spanNames()])];
    return spans.map((span) => ({
      span,
      countSinceStart: this.latency.countSinceStart(span),
      windows: Object.fromEntries(LATENCY_WINDOWS.map((w) => [w.name, this.latency.summary(span, w.name, now)])),
    }));
  }

  private retireSilent(now: number): void {
    if (now - this.lastRetireCheck < 60_000) return;
    this.lastRetireCheck = now;
    for (const [key, state] of this.instances) {
      if (now - state.lastSampleAt <= RETIRE_AFTER_MS) continue;
      this.counters.retire(key);
      this.gauges.forget(key);
      this.instances.delete(key);
    }
  }

  private liveness(now: number): (instance: string) => boolean {
    return (instance) => {
      const state = this.instances.get(instance);
      return state !== undefined && !this.isMissing(state.lastSampleAt, state.intervalMs, now);
    };
  }

  private isMissing(lastSampleAt: number, intervalMs: number, now: number): boolean {
    return now - lastSampleAt > intervalMs * this.missedIntervalsBeforeMissing;
  }
}
