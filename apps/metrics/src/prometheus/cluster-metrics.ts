import { Counter, Gauge, type Registry } from 'prom-client';
import { ServiceNames } from '@chat/protocol';
import { instanceState, type ClusterOverview, type InstanceState } from '../overview/cluster-overview';
import type { LatencySummary } from '../samples/latency-windows';

const QUANTILES: readonly { label: string; of: (s: LatencySummary) => number | null }[] = [
  { label: '0.5', of: (s) => s.p50Ms },
  { label: '0.9', of: (s) => s.p90Ms },
  { label: '0.99', of: (s) => s.p99Ms },
  { label: '0.999', of: (s) => s.p999Ms },
  { label: '1', of: (s) => s.maxMs },
];

const INSTANCE_STATES: readonly InstanceState[] = ['ready', 'not_ready', 'missing'];

/**
 * The cluster-wide figures as Prometheus metrics (`chat_cluster_*`), on the registry given: in the
 * service, the process registry of libs/telemetry, so they are scraped with the process figures
 * from the same `GET /metrics`. They are computed when scraped, from one overview: every collector
 * first resets, so groups, partitions or gateways that went away disappear from the scrape.
 */
export class ClusterMetrics {
  constructor(registry: Registry, overview: (now: number) => ClusterOverview) {
    // A scrape runs the collectors in registration order: the first one computes the overview, the
    // others read the same one, so one scrape is one consistent picture computed once.
    let current: ClusterOverview | null = null;
    const refresh = (): ClusterOverview => (current = overview(Date.now()));
    const snapshot = (): ClusterOverview => current ?? refresh();
    const registers = [registry];

    new Gauge({
      name: 'chat_cluster_connections',
      help: 'Open WebSocket connections on all live gateways (latest chat_connections of each).',
      registers,
      collect() {
        this.set(refresh().connections.total);
      },
    });
    new Gauge({
      name: 'chat_cluster_gateway_connections',
      help: 'Open WebSocket connections per live gateway instance.',
      labelNames: ['gateway'],
      registers,
      collect() {
        this.reset();
        for (const g of snapshot().connections.byGateway) this.set({ gateway: g.instanceId }, g.connections);
      },
    });
    new Counter({
      name: 'chat_cluster_messages_total',
      help: 'Messages per stage, summed over every instance seen since this metrics instance started (reset-corrected; stopped instances keep their count).',
      labelNames: ['stage'],
      registers,
      collect() {
        this.reset();
        for (const s of snapshot().messages.stages) this.inc({ stage: s.stage }, s.total);
      },
    });
    new Gauge({
      name: 'chat_cluster_messages_per_second',
      help: 'Messages per second per stage over the last 10 s, summed over live instances.',
      labelNames: ['stage'],
      registers,
      collect() {
        this.reset();
        for (const s of snapshot().messages.stages) this.set({ stage: s.stage }, s.perSecond);
      },
    });
    new Gauge({
      name: 'chat_cluster_latency_seconds',
      help: 'End-to-end latency percentiles per span over a sliding window (10s, 1m, 5m), merged from every instance\'s HdrHistograms; quantile "1" is the maximum. Absent while the window holds no value.',
      labelNames: ['span', 'window', 'quantile'],
      registers,
      collect() {
        this.reset();
        for (const span of snapshot().latency.spans) {
          for (const [window, summary] of Object.entries(span.windows)) {
            for (const q of QUANTILES) {
              const ms = q.of(summary);
              if (ms !== null) this.set({ span: span.span, window, quantile: q.label }, ms / 1000);
            }
          }
        }
      },
    });
    new Gauge({
      name: 'chat_cluster_latency_window_samples',
      help: 'Latency values per span inside each sliding window.',
      labelNames: ['span', 'window'],
      registers,
      collect() {
        this.reset();
        for (const span of snapshot().latency.spans) {
          for (const [window, summary] of Object.entries(span.windows)) this.set({ span: span.span, window }, summary.count);
        }
      },
    });
    new Counter({
      name: 'chat_cluster_latency_samples_total',
      help: 'Latency values per span received since this metrics instance started.',
      labelNames: ['span'],
      registers,
      collect() {
        this.reset();
        for (const span of snapshot().latency.spans) this.inc({ span: span.span }, span.countSinceStart);
      },
    });
    new Gauge({
      name: 'chat_cluster_consumer_lag',
      help: 'Records not yet consumed per consumer group and partition (high watermark minus committed offset; partitions without a commit are left out).',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const group of snapshot().consumerLag.groups) {
          for (const p of group.partitions) {
            if (p.lag !== null) this.set({ group: group.groupId, topic: p.topic, partition: String(p.partition) }, p.lag);
          }
        }
      },
    });
    new Gauge({
      name: 'chat_cluster_dead_letters',
      help: 'Records retained in each dead-letter topic (*.dlq): high minus low watermark, summed over partitions.',
      labelNames: ['topic'],
      registers,
      collect() {
        this.reset();
        for (const t of snapshot().deadLetters.topics) this.set({ topic: t.topic }, t.records);
      },
    });
    new Gauge({
      name: 'chat_cluster_offsets_polled_timestamp_seconds',
      help: 'When consumer lag and dead-letter sizes were last read successfully (Unix time); they are that old.',
      registers,
      collect() {
        this.reset();
        const polledAt = snapshot().consumerLag.polledAt;
        if (polledAt !== null) this.set(polledAt / 1000);
      },
    });
    new Gauge({
      name: 'chat_cluster_instances',
      help: 'Instances per service by state: ready, not_ready (reporting, not ready or not yet known), missing (silent for too long).',
      labelNames: ['service', 'state'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const service of ServiceNames) for (const state of INSTANCE_STATES) counts.set(`${service}\u0000${state}`, 0);
        for (const instance of snapshot().instances) {
          const key = `${instance.service}\u0000${instanceState(instance)}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        for (const [key, count] of counts) {
          const [service, state] = key.split('\u0000');
          this.set({ service, state }, count);
        }
      },
    });
  }
}
