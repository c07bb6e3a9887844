import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { MetricsSample, Topics, type Envelope } from '@chat/protocol';
import { KafkaClient, KafkaProducer, type OutgoingRecord } from '@chat/kafka';
import { Telemetry } from '@chat/telemetry';
import { BaseConfig } from './config';
import { MetricsController } from './metrics.controller';
import { MetricsSamplePublisher } from './metrics-sample.publisher';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';

/** Keeps what would be produced, and the hooks the publisher registered for the producer's close. */
class RecordingProducer implements Pick<KafkaProducer, 'send' | 'beforeClose'> {
  readonly sent: Array<{ topic: string; key: string | null; envelope: Envelope }> = [];
  readonly closeHooks: Array<() => Promise<void>> = [];
  failure: Error | null = null;

  async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (this.failure) throw this.failure;
    for (const { key, envelope } of records) this.sent.push({ topic, key, envelope });
  }

  beforeClose(hook: () => Promise<void>): void {
    this.closeHooks.push(hook);
  }

  async close(): Promise<void> {
    for (const hook of this.closeHooks) await hook();
  }
}

const identity: ServiceIdentity = { service: 'router', instanceId: 'router-7', startedAt: 1 };
const config = BaseConfig.load({ KAFKA_BROKERS: '127.0.0.1:9', HTTP_PORT: '1', INSTANCE_ID: 'router-7', METRICS_SAMPLE_INTERVAL_MS: '200' });

async function setUp() {
  const telemetry = new Telemetry();
  telemetry.configure(identity);
  const producer = new RecordingProducer();
  const abort = new AbortController();
  const client: Pick<KafkaClient, 'connected' | 'abortSignal'> = { connected: () => Promise.resolve(), abortSignal: abort.signal };
  const moduleRef = await Test.createTestingModule({
    controllers: [MetricsController],
    providers: [
      MetricsSamplePublisher,
      { provide: Telemetry, useValue: telemetry },
      { provide: KafkaClient, useValue: client },
      { provide: KafkaProducer, useValue: producer },
      { provide: SERVICE_IDENTITY, useValue: identity },
      { provide: BaseConfig, useValue: config },
    ],
  }).compile();
  return { telemetry, producer, moduleRef, publisher: moduleRef.get(MetricsSamplePublisher) };
}

function samples(producer: RecordingProducer) {
  return producer.sent.map(({ topic, key, envelope }) => ({ topic, key, payload: MetricsSample.parse(envelope).payload }));
}

describe('MetricsSamplePublisher', () => {
  it('publishes the figures on ops.metrics keyed by instance id, each latency value in one sample only', async () => {
    const { telemetry, producer, publisher } = await setUp();
    const messages = telemetry.counter('chat_messages_total', 'messages', ['stage']);
    const latency = telemetry.latency('chat_latency_seconds', 'latency', ['span']);
    messages.inc({ stage: 'routed' }, 4);
    latency.record({ span: 'send_to_accepted' }, 2);

    await publisher.publish();
    messages.inc({ stage: 'routed' });
    await publisher.publish();

    const [first, second] = samples(producer);
    expect(first).toMatchObject({ topic: Topics.metrics.name, key: 'router-7', payload: { service: 'router', instanceId: 'router-7', intervalMs: 200 } });
    expect(first.payload.counters).toEqual([{ name: 'chat_messages_total', labels: { stage: 'routed' }, value: 4 }]);
    expect(first.payload.histograms).toHaveLength(1);
    expect(decodeFromCompressedBase64(first.payload.histograms[0].encoded).totalCount).toBe(1);
    expect(second.payload.counters).toEqual([{ name: 'chat_messages_total', labels: { stage: 'routed' }, value: 5 }]);
    expect(second.payload.histograms).toEqual([]);
  });

  it('publishes every interval once Kafka is reachable, and a last sample when the producer closes', async () => {
    // Fake timers (not microtasks): the 200 ms interval is advanced, not waited for.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    try {
      const { telemetry, producer, moduleRef } = await setUp();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      // One sample as soon as Kafka is reachable, then one per METRICS_SAMPLE_INTERVAL_MS.
      await jest.advanceTimersByTimeAsync(0);
      expect(producer.sent).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(199);
      expect(producer.sent).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(producer.sent).toHaveLength(2);
      await jest.advanceTimersByTimeAsync(400);
      expect(producer.sent).toHaveLength(4);

      telemetry.counter('kafka_consumed_records_total', 'consumed', ['group', 'topic']).inc({ group: 'router', topic: 'chat.events' }, 9);
      await app.close();
      await producer.close();
      expect(producer.sent).toHaveLength(5);
      const last = samples(producer).at(-1);
      expect(last?.payload.counters).toContainEqual({ name: 'kafka_consumed_records_total', labels: { group: 'router', topic: 'chat.events' }, value: 9 });
      // The interval stopped with the app: no sample after the last one.
      await jest.advanceTimersByTimeAsync(1000);
      expect(producer.sent).toHaveLength(5);
    } finally {
      jest.useRealTimers();
    }
  });

  it('survives a failed produce: the next sample goes out', async () => {
    const { producer, publisher } = await setUp();
    producer.failure = new Error('kafka away');
    await expect(publisher.publish()).resolves.toBeUndefined();
    producer.failure = null;
    await publisher.publish();
    expect(producer.sent).toHaveLength(1);
  });
});

describe('GET /metrics', () => {
  let app: INestApplication;

  afterEach(async () => {
    await app?.close();
  });

  it('serves the Prometheus text format with its content type', async () => {
    const { telemetry, moduleRef } = await setUp();
    telemetry.gauge('chat_connections', 'open sockets').set({}, 3);
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;

    const response = await fetch(`http://127.0.0.1:${port}/metrics`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('chat_connections{service="router",instance="router-7"} 3');
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
  });
});
