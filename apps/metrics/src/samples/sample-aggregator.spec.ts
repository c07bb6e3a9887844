import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { SampleAggregator } from './sample-aggregator';
import type { SamplePayload } from './sample-types';

const NOW = 1_767_225_600_000;

function sample(overrides: Partial<SamplePayload> & Pick<SamplePayload, 'service' | 'instanceId' | 'at'>): SamplePayload {
  return { intervalMs: 2000, counters: [], gauges: [], histograms: [], ...overrides };
}

function latency(span: string, microseconds: number[]) {
  const histogram = build();
  for (const value of microseconds) histogram.recordValue(value);
  return { name: 'chat_latency_microseconds', labels: { span }, count: microseconds.length, encoded: encodeIntoCompressedBase64(histogram) };
}

const connections = (value: number) => [{ name: 'chat_connections', labels: {}, value }];

describe('SampleAggregator', () => {
  it('sums the latest connections gauge of each live gateway; a gateway silent for 3 intervals drops out', () => {
    const aggregator = new SampleAggregator(3);
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'gateway-1', at: NOW, gauges: connections(5) }), NOW);
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'gateway-2', at: NOW, gauges: connections(7) }), NOW);
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'gateway-1', at: NOW + 2000, gauges: connections(6) }), NOW + 2000);
    expect(aggregator.connections(NOW + 2000)).toEqual({
      total: 13,
      reporting: true,
      byGateway: [
        { instanceId: 'gateway-1', connections: 6 },
        { instanceId: 'gateway-2', connections: 7 },
      ],
    });
    // gateway-2 last reported at NOW: 3 intervals of 2 s later it is missing.
    expect(aggregator.connections(NOW + 6000).total).toBe(13);
    expect(aggregator.connections(NOW + 6001)).toMatchObject({ total: 6, byGateway: [{ instanceId: 'gateway-1', connections: 6 }] });
    expect(aggregator.instanceList(NOW + 6001).map((i) => [i.instanceId, i.missing])).toEqual([
      ['gateway-1', false],
      ['gateway-2', true],
    ]);
  });

  it('lists every known stage in flow order, with totals across instances', () => {
    const aggregator = new SampleAggregator(3);
    expect(aggregator.hasMessageCounters()).toBe(false);
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'gateway-1', at: NOW, counters: [{ name: 'chat_messages_total', labels: { stage: 'delivered' }, value: 4 }] }), NOW);
    aggregator.ingest(sample({ service: 'persistence', instanceId: 'persistence-1', at: NOW, counters: [{ name: 'chat_messages_total', labels: { stage: 'stored' }, value: 4 }] }), NOW);
    expect(aggregator.hasMessageCounters()).toBe(true);
    expect(aggregator.messageStages(NOW).map((s) => [s.stage, s.total])).toEqual([
      ['accepted', 0],
      ['stored', 4],
      ['routed', 0],
      ['delivered', 4],
      ['echoed', 0],
    ]);
  });

  it('ignores a sample not newer than the last one of its instance (a replay would double latency counts)', () => {
    const aggregator = new SampleAggregator(3);
    const first = sample({ service: 'gateway', instanceId: 'gateway-1', at: NOW, histograms: [latency('send_to_accepted', [1500, 2500])] });
    expect(aggregator.ingest(first, NOW)).toBe(true);
    expect(aggregator.ingest(first, NOW + 10)).toBe(false);
    const span = aggregator.latencyBySpan(NOW).find((s) => s.span === 'send_to_accepted');
    expect(span?.countSinceStart).toBe(2);
    expect(span?.windows['10s']).toMatchObject({ count: 2, p50Ms: expect.closeTo(1.5, 1), maxMs: expect.closeTo(2.5, 1) });
  });

  it('keeps instances of different services with the same id apart', () => {
    const aggregator = new SampleAggregator(3);
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'host-1', at: NOW }), NOW);
    aggregator.ingest(sample({ service: 'router', instanceId: 'host-1', at: NOW }), NOW);
    expect(aggregator.instanceList(NOW).map((i) => i.service)).toEqual(['gateway', 'router']);
  });

  it('keeps the counters and gauges of a sample whose histogram cannot be decoded', () => {
    const aggregator = new SampleAggregator(3);
    const broken = { name: 'chat_latency_microseconds', labels: { span: 'send_to_accepted' }, count: 1, encoded: 'HISTFAAAACJ4nJNpmSzM' };
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'gateway-1', at: NOW, gauges: connections(2), histograms: [broken] }), NOW);
    expect(aggregator.connections(NOW).total).toBe(2);
    expect(aggregator.latencyBySpan(NOW).map((s) => s.span)).toEqual(['send_to_accepted', 'accepted_to_stored', 'stored_to_delivered', 'send_to_delivered']);
  });
});

describe('SampleAggregator retiring silent instances', () => {
  it('drops an instance silent for an hour from the list but keeps its counts in the totals', () => {
    const aggregator = new SampleAggregator(3);
    const counted = (value: number) => [{ name: 'chat_messages_total', labels: { stage: 'accepted' }, value }];
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'gateway-old', at: NOW, counters: counted(7) }), NOW);
    const later = NOW + 60 * 60 * 1000 + 1;
    aggregator.ingest(sample({ service: 'gateway', instanceId: 'gateway-new', at: later, counters: counted(2) }), later);
    expect(aggregator.instanceList(later).map((i) => i.instanceId)).toEqual(['gateway-new']);
    expect(aggregator.messageStages(later)[0]).toMatchObject({ stage: 'accepted', total: 9 });
  });
});
