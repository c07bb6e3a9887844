import { Test } from '@nestjs/testing';
import { SERVICE_IDENTITY } from '@chat/service-kit';
import { InstanceRegistry } from '../instances/instance-registry';
import { KafkaOffsetsMonitor, type KafkaOffsetsSnapshot } from '../lag/kafka-offsets.monitor';
import { SampleAggregator } from '../samples/sample-aggregator';
import { ClusterOverviewService } from './cluster-overview.service';

const NOW = 1_767_225_600_000;

/** Stands in for the admin-API poller: answers a fixed snapshot. */
class FixedOffsets implements Pick<KafkaOffsetsMonitor, 'snapshot'> {
  constructor(public current: KafkaOffsetsSnapshot) {}
  snapshot(): KafkaOffsetsSnapshot {
    return this.current;
  }
}

describe('ClusterOverviewService', () => {
  let service: ClusterOverviewService;
  let registry: InstanceRegistry;
  let samples: SampleAggregator;
  let offsets: FixedOffsets;

  beforeEach(async () => {
    registry = new InstanceRegistry(3);
    samples = new SampleAggregator(3);
    offsets = new FixedOffsets({ polledAt: null, pollDurationMs: null, error: 'not polled yet', totalLag: 0, groups: [], deadLettersTotal: 0, deadLetters: [] });
    const moduleRef = await Test.createTestingModule({
      providers: [
        ClusterOverviewService,
        { provide: InstanceRegistry, useValue: registry },
        { provide: SampleAggregator, useValue: samples },
        { provide: KafkaOffsetsMonitor, useValue: offsets },
        { provide: SERVICE_IDENTITY, useValue: { service: 'metrics', instanceId: 'metrics-1', startedAt: NOW - 60_000 } },
      ],
    }).compile();
    service = moduleRef.get(ClusterOverviewService);
  });

  it('lists instances known from heartbeats or samples, flagging missing ones by their heartbeats', () => {
    registry.record({ service: 'gateway', instanceId: 'gateway-1', startedAt: NOW - 50_000, intervalMs: 5000, ready: true }, NOW - 1000);
    registry.record({ service: 'router', instanceId: 'router-1', startedAt: NOW - 50_000, intervalMs: 5000, ready: true }, NOW - 20_000);
    samples.ingest({ service: 'gateway', instanceId: 'gateway-1', at: NOW - 500, intervalMs: 2000, counters: [], gauges: [], histograms: [] }, NOW - 500);
    samples.ingest({ service: 'auth', instanceId: 'auth-1', at: NOW - 500, intervalMs: 2000, counters: [], gauges: [], histograms: [] }, NOW - 500);
    expect(service.overview(NOW).instances).toEqual([
      { service: 'auth', instanceId: 'auth-1', startedAt: null, ready: null, lastHeartbeatAt: null, lastSampleAt: NOW - 500, missing: false },
      { service: 'gateway', instanceId: 'gateway-1', startedAt: NOW - 50_000, ready: true, lastHeartbeatAt: NOW - 1000, lastSampleAt: NOW - 500, missing: false },
      { service: 'router', instanceId: 'router-1', startedAt: NOW - 50_000, ready: true, lastHeartbeatAt: NOW - 20_000, lastSampleAt: null, missing: true },
    ]);
  });

  it('charts nothing (null) for figures not measured yet, and numbers once they are', () => {
    const empty = service.point(NOW, NOW);
    expect(empty).toMatchObject({ connections: null, consumerLag: null, deadLetters: null, messagesPerSecond: { accepted: null } });
    expect(empty.latencyMs['send_to_delivered']).toEqual({ p50: null, p99: null });

    samples.ingest(
      {
        service: 'gateway',
        instanceId: 'gateway-1',
        at: NOW,
        intervalMs: 2000,
        counters: [{ name: 'chat_messages_total', labels: { stage: 'accepted' }, value: 3 }],
        gauges: [{ name: 'chat_connections', labels: {}, value: 2 }],
        histograms: [],
      },
      NOW,
    );
    offsets.current = { ...offsets.current, polledAt: NOW, pollDurationMs: 12, error: null, totalLag: 4, deadLettersTotal: 1 };
    expect(service.point(NOW, NOW)).toMatchObject({ connections: 2, consumerLag: 4, deadLetters: 1, messagesPerSecond: { accepted: 0, stored: 0 } });
    expect(service.overview(NOW)).toMatchObject({
      startedAt: NOW - 60_000,
      messages: { reporting: true, rateWindowSeconds: 10 },
      connections: { reporting: true, total: 2 },
      latency: { windows: ['10s', '1m', '5m'] },
      consumerLag: { polledAt: NOW, error: null, total: 4 },
      deadLetters: { total: 1 },
    });
  });

  it('leaves lag out of the series while the latest poll failed', () => {
    offsets.current = { ...offsets.current, polledAt: NOW - 10_000, error: 'KafkaJSConnectionError: Connection timeout', totalLag: 4 };
    expect(service.point(NOW, NOW).consumerLag).toBeNull();
    expect(service.overview(NOW).consumerLag).toMatchObject({ total: 4, error: 'KafkaJSConnectionError: Connection timeout' });
  });
});
