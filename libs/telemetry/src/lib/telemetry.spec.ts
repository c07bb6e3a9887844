import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { MetricsSample } from '@chat/protocol';
import { ChatMetrics } from './chat-metrics';
import { HDR_HIGHEST_MICROS } from './latency-histogram';
import { Telemetry } from './telemetry';

describe('Telemetry', () => {
  let telemetry: Telemetry;

  beforeEach(() => {
    telemetry = new Telemetry();
  });

  it('snapshots counters (cumulative), gauges (current) and latency deltas in MetricsSample shape', async () => {
    const frames = telemetry.counter('chat_frames_in_total', 'frames', ['type']);
    const connections = telemetry.gauge('chat_connections', 'open sockets');
    const latency = telemetry.latency('chat_latency_seconds', 'latency', ['span']);
    frames.inc({ type: 'send' });
    frames.inc({ type: 'send' }, 2);
    frames.inc({ type: 'ping' });
    connections.set({}, 7);
    latency.record({ span: 'send_to_accepted' }, 1.5);
    latency.record({ span: 'send_to_accepted' }, 12);

    const figures = await telemetry.snapshotSample();

    expect(figures.counters).toEqual([
      { name: 'chat_frames_in_total', labels: { type: 'send' }, value: 3 },
      { name: 'chat_frames_in_total', labels: { type: 'ping' }, value: 1 },
    ]);
    expect(figures.gauges).toEqual([{ name: 'chat_connections', labels: {}, value: 7 }]);
    expect(figures.histograms).toEqual([{ name: 'chat_latency_microseconds', labels: { span: 'send_to_accepted' }, count: 2, encoded: expect.any(String) }]);
    // The published record validates against the protocol's schema.
    const sample = MetricsSample.create({ service: 'gateway', instanceId: 'gw-1', at: Date.now(), intervalMs: 2000, ...figures });
    expect(MetricsSample.decode(JSON.stringify(sample)).payload.histograms[0].count).toBe(2);
  });

  it('hands each latency value to exactly one snapshot: deltas, then reset', async () => {
    const latency = telemetry.latency('kafka_handler_duration_seconds', 'handler', ['group']);
    for (const ms of [1, 2, 3]) latency.record({ group: 'g' }, ms);

    const first = await telemetry.snapshotSample();
    const decoded = decodeFromCompressedBase64(first.histograms[0].encoded);
    expect(decoded.totalCount).toBe(3);
    expect(decoded.minNonZeroValue).toBeGreaterThanOrEqual(999);
    expect(decoded.maxValue).toBeLessThanOrEqual(3001);
    expect(decoded.getValueAtPercentile(50)).toBeCloseTo(2000, -1);

    expect((await telemetry.snapshotSample()).histograms).toEqual([]);

    latency.record({ group: 'g' }, 4);
    const third = await telemetry.snapshotSample();
    expect(third.histograms.map((h) => h.count)).toEqual([1]);
    expect(decodeFromCompressedBase64(third.histograms[0].encoded).maxValue).toBeCloseTo(4000, -1);
  });

  it('records negative durations (clock skew) as 0 and caps very long ones at the HDR range', async () => {
    const latency = telemetry.latency('chat_latency_seconds', 'latency', ['span']);
    latency.record({ span: 'accepted_to_stored' }, -5);
    latency.record({ span: 'accepted_to_stored' }, 10 * HDR_HIGHEST_MICROS);
    const decoded = decodeFromCompressedBase64((await telemetry.snapshotSample()).histograms[0].encoded);
    expect(decoded.totalCount).toBe(2);
    expect(decoded.getValueAtPercentile(1)).toBe(0);
    expect(decoded.maxValue).toBeGreaterThanOrEqual(HDR_HIGHEST_MICROS * 0.999);
  });

  it('serves the Prometheus text format with the default labels and the latency buckets in seconds', async () => {
    telemetry.configure({ service: 'router', instanceId: 'router-1' });
    telemetry.counter('chat_messages_total', 'messages', ['stage']).inc({ stage: 'routed' }, 5);
    telemetry.latency('chat_latency_seconds', 'latency', ['span']).record({ span: 'send_to_accepted' }, 3);

    const text = await telemetry.metrics();

    expect(telemetry.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE chat_messages_total counter');
    expect(text).toMatch(/chat_messages_total\{stage="routed",service="router",instance="router-1"\} 5/);
    expect(text).toMatch(/chat_latency_seconds_bucket\{le="0\.0025",service="router",instance="router-1",span="send_to_accepted"\} 0/);
    expect(text).toMatch(/chat_latency_seconds_bucket\{le="0\.005",service="router",instance="router-1",span="send_to_accepted"\} 1/);
    expect(text).toContain('process_resident_memory_bytes');
    // The sample names service and instance once, not on every series.
    expect((await telemetry.snapshotSample()).counters).toEqual([{ name: 'chat_messages_total', labels: { stage: 'routed' }, value: 5 }]);
  });

  it('creates a metric once by name and refuses the same name with another kind or labels', () => {
    const a = telemetry.counter('kafka_dead_letters_total', 'dead letters', ['topic']);
    expect(telemetry.counter('kafka_dead_letters_total', 'dead letters', ['topic'])).toBe(a);
    expect(() => telemetry.gauge('kafka_dead_letters_total', 'dead letters', ['topic'])).toThrow(/already exists as a counter/);
    expect(() => telemetry.counter('kafka_dead_letters_total', 'dead letters', ['group'])).toThrow(/labels \[topic\]/);
    expect(() => telemetry.latency('handler_ms', 'not in seconds')).toThrow(/_seconds/);
  });

  it('reads collected gauges when sampled, drops removed series, and leaves unsampled metrics out of samples', async () => {
    let open = 3;
    telemetry.gauge('chat_connections', 'open sockets', [], { collect: (gauge) => gauge.set({}, open) });
    const lag = telemetry.gauge('kafka_consumer_lag', 'lag', ['partition']);
    lag.set({ partition: '0' }, 4);
    lag.set({ partition: '1' }, 0);
    lag.remove({ partition: '0' });
    telemetry.gauge('chat_cluster_connections', 'computed by the metrics service', [], { sampled: false }).set({}, 99);
    open = 5;

    expect((await telemetry.snapshotSample()).gauges).toEqual([
      { name: 'chat_connections', labels: {}, value: 5 },
      { name: 'kafka_consumer_lag', labels: { partition: '1' }, value: 0 },
    ]);
    expect(await telemetry.metrics()).toContain('chat_cluster_connections 99');
  });
});

describe('ChatMetrics', () => {
  it('shows the stages a service owns at 0 from the start and records spans from two timestamps', async () => {
    const telemetry = new Telemetry();
    const chat = new ChatMetrics(telemetry, ['delivered', 'echoed']);
    chat.count('delivered');
    chat.count('delivered', 0);
    chat.span('stored_to_delivered', 1_000, 1_250);
    // A second service module asking for the shared metrics gets the same series.
    new ChatMetrics(telemetry, ['accepted']).count('accepted', 2);

    const figures = await telemetry.snapshotSample();
    expect(figures.counters).toEqual([
      { name: 'chat_messages_total', labels: { stage: 'delivered' }, value: 1 },
      { name: 'chat_messages_total', labels: { stage: 'echoed' }, value: 0 },
      { name: 'chat_messages_total', labels: { stage: 'accepted' }, value: 2 },
    ]);
    expect(decodeFromCompressedBase64(figures.histograms[0].encoded).maxValue).toBeCloseTo(250_000, -3);
  });
});
