import { Registry } from 'prom-client';
import type { ClusterOverview } from '../overview/cluster-overview';
import type { LatencySummary } from '../samples/latency-windows';
import { ClusterMetrics } from './cluster-metrics';

const NOW = 1_767_225_600_000;
const EMPTY: LatencySummary = { count: 0, p50Ms: null, p90Ms: null, p99Ms: null, p999Ms: null, maxMs: null };

function overview(overrides: Partial<ClusterOverview> = {}): ClusterOverview {
  return {
    at: NOW,
    startedAt: NOW - 60_000,
    messages: { reporting: true, rateWindowSeconds: 10, stages: [{ stage: 'accepted', total: 42, perSecond: 1.5 }] },
    connections: { reporting: true, total: 5, byGateway: [{ instanceId: 'gateway-1', connections: 5 }] },
    latency: {
      windows: ['10s', '1m', '5m'],
      spans: [{ span: 'send_to_delivered', countSinceStart: 42, windows: { '10s': EMPTY, '1m': { count: 3, p50Ms: 12.5, p90Ms: 20, p99Ms: 31, p999Ms: 31, maxMs: 31 }, '5m': EMPTY } }],
    },
    consumerLag: {
      polledAt: NOW,
      pollDurationMs: 10,
      error: null,
      total: 7,
      groups: [
        {
          groupId: 'router',
          state: 'Stable',
          lag: 7,
          partitions: [
            { topic: 'chat.events', partition: 3, committedOffset: 10, highWatermark: 17, lag: 7 },
            { topic: 'chat.events', partition: 4, committedOffset: null, highWatermark: 3, lag: null },
          ],
        },
      ],
    },
    deadLetters: { polledAt: NOW, total: 2, topics: [{ topic: 'chat.commands.dlq', records: 2 }] },
    instances: [
      { service: 'gateway', instanceId: 'gateway-1', startedAt: NOW, ready: true, lastHeartbeatAt: NOW, lastSampleAt: NOW, missing: false },
      { service: 'router', instanceId: 'router-1', startedAt: NOW, ready: true, lastHeartbeatAt: NOW - 60_000, lastSampleAt: null, missing: true },
    ],
    counters: [],
    ...overrides,
  };
}

describe('ClusterMetrics', () => {
  it('exposes the cluster figures in the Prometheus text format', async () => {
    const registry = new Registry();
    new ClusterMetrics(registry, () => overview());
    const text = await registry.metrics();
    for (const line of [
      '# TYPE chat_cluster_messages_total counter',
      'chat_cluster_messages_total{stage="accepted"} 42',
      'chat_cluster_messages_per_second{stage="accepted"} 1.5',
      'chat_cluster_connections 5',
      'chat_cluster_gateway_connections{gateway="gateway-1"} 5',
      'chat_cluster_latency_seconds{span="send_to_delivered",window="1m",quantile="0.99"} 0.031',
      'chat_cluster_latency_seconds{span="send_to_delivered",window="1m",quantile="1"} 0.031',
      'chat_cluster_latency_window_samples{span="send_to_delivered",window="10s"} 0',
      'chat_cluster_latency_samples_total{span="send_to_delivered"} 42',
      'chat_cluster_consumer_lag{group="router",topic="chat.events",partition="3"} 7',
      'chat_cluster_dead_letters{topic="chat.commands.dlq"} 2',
      `chat_cluster_offsets_polled_timestamp_seconds ${NOW / 1000}`,
      'chat_cluster_instances{service="gateway",state="ready"} 1',
      'chat_cluster_instances{service="router",state="missing"} 1',
      'chat_cluster_instances{service="auth",state="ready"} 0',
    ]) {
      expect(text).toContain(line);
    }
    // No value is not zero: empty windows and partitions without a commit are left out.
    expect(text).not.toContain('window="10s",quantile=');
    expect(text).not.toContain('partition="4"');
  });

  it('drops series that went away since the previous scrape', async () => {
    const registry = new Registry();
    let current = overview();
    new ClusterMetrics(registry, () => current);
    expect(await registry.metrics()).toContain('gateway="gateway-1"');
    current = overview({ connections: { reporting: false, total: 0, byGateway: [] }, consumerLag: { ...overview().consumerLag, groups: [] } });
    const text = await registry.metrics();
    expect(text).not.toContain('gateway="gateway-1"');
    expect(text).not.toContain('chat_cluster_consumer_lag{');
  });

  it('computes the overview once per scrape, not once per metric', async () => {
    const registry = new Registry();
    let computed = 0;
    new ClusterMetrics(registry, () => {
      computed += 1;
      return overview();
    });
    await registry.metrics();
    expect(computed).toBe(1);
  });
});
