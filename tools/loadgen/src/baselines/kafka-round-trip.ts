import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { DEFAULT_COMMIT_INTERVAL_MS, KAFKA_CLIENT_SETTINGS, kafkaJsSecurity, type KafkaSecurity, KAFKA_PRODUCE_REQUEST_SETTINGS, KAFKA_PRODUCER_SETTINGS, kafkaConsumerSettings, MAX_RECORDS_PER_REQUEST } from '@chat/kafka';
import { Topics } from '@chat/protocol';
import { LatencyHistogram } from '../report/latency';
import { pace } from './pacing';
import { timedPayload, readTimedPayload } from './payload';
import { throughput, waitUntil, type BaselineResult } from './result';

export interface KafkaRoundTripOptions {
  brokers: string;
  /** TLS and SASL as the suite's clients use them (default plaintext). */
  security?: KafkaSecurity;
  messages: number;
  /** Messages per second; as fast as the producer takes them when absent. */
  ratePerSecond?: number;
  payloadBytes?: number;
}

const DEFAULT_PAYLOAD_BYTES = 200;
/** Like chat.commands, the suite's busiest topic. */
const PARTITIONS = Topics.commands.partitions;
const SESSION_TIMEOUT_MS = 10000;
const DRAIN_TIMEOUT_MS = 60000;

/**
 * Raw kafkajs, produce → consume in a group, on a fresh topic, with the suite's producer, produce
 * request and consumer settings (imported from @chat/kafka) and its way of producing: one request
 * in flight, whatever queued meanwhile going out together in the next. The consumer commits what it
 * handled every DEFAULT_COMMIT_INTERVAL_MS in one request, as the suite's consumers do. Latency is from the produce call to the record in hand.
 */
export async function runKafkaRoundTripBaseline(options: KafkaRoundTripOptions): Promise<BaselineResult> {
  const payloadBytes = options.payloadBytes ?? DEFAULT_PAYLOAD_BYTES;
  const runId = randomUUID().slice(0, 8);
  const topic = `baseline.round-trip.${runId}`;
  const groupId = `baseline.round-trip.${runId}`;
  const kafka = new Kafka({ clientId: `loadgen-baseline-${runId}`, brokers: options.brokers.split(','), logLevel: logLevel.NOTHING, ...KAFKA_CLIENT_SETTINGS, ...kafkaJsSecurity(options.security) });
  const admin = kafka.admin();
  const producer = kafka.producer({ ...KAFKA_PRODUCER_SETTINGS });
  const consumer = kafka.consumer(kafkaConsumerSettings(groupId, SESSION_TIMEOUT_MS));
  const latency = new LatencyHistogram();
  let received = 0;
  let lastReceivedAt = 0;
  /** The next offset to commit per partition, committed on the suite's cadence. */
  const handled = new Map<number, string>();
  let commitTimer: NodeJS.Timeout | undefined;
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: async ({ batch, resolveOffset }) => {
        const now = performance.now();
        for (const message of batch.messages) {
          latency.record(now - readTimedPayload(message.value?.toString('utf8') ?? '').sentAt);
          resolveOffset(message.offset);
        }
        received += batch.messages.length;
        lastReceivedAt = now;
        const last = batch.messages[batch.messages.length - 1];
        if (last) handled.set(batch.partition, (BigInt(last.offset) + 1n).toString());
      },
    });
    commitTimer = setInterval(() => {
      if (handled.size === 0) return;
      const offsets = [...handled].map(([partition, offset]) => ({ topic, partition, offset }));
      handled.clear();
      void consumer.commitOffsets(offsets).catch(() => undefined);
    }, DEFAULT_COMMIT_INTERVAL_MS);
    await joined;
    const sender = new QueuedSender(producer, topic);
    const startedAt = performance.now();
    await pace(options.messages, (index) => sender.send({ key: `k${index % (PARTITIONS * 8)}`, value: timedPayload(index, performance.now(), payloadBytes) }), { ratePerSecond: options.ratePerSecond });
    await sender.drained();
    await waitUntil(() => received >= options.messages, DRAIN_TIMEOUT_MS, () => `kafka baseline: ${received} of ${options.messages} records consumed after ${DRAIN_TIMEOUT_MS} ms`);
    const durationMs = lastReceivedAt - startedAt;
    return {
      name: 'kafka-round-trip',
      messages: options.messages,
      durationMs: Math.round(durationMs),
      messagesPerSecond: throughput(options.messages, durationMs),
      latencyMs: latency.summary(),
      settings: {
        ratePerSecond: options.ratePerSecond ?? 'max',
        payloadBytes,
        partitions: PARTITIONS,
        acks: KAFKA_PRODUCE_REQUEST_SETTINGS.acks,
        idempotent: String(KAFKA_PRODUCER_SETTINGS.idempotent),
        maxInFlightRequests: KAFKA_PRODUCER_SETTINGS.maxInFlightRequests,
        partitionsConsumedConcurrently: PARTITIONS,
        maxRecordsPerRequest: MAX_RECORDS_PER_REQUEST,
      },
    };
  } finally {
    clearInterval(commitTimer);
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The suite's producing discipline (see KafkaProducer): one request in flight; what queues meanwhile goes out together next. */
class QueuedSender {
  private queue: Message[] = [];
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  send(message: Message): void {
    this.queue.push(message);
    this.flushing ??= this.flush().finally(() => (this.flushing = null));
  }

  async drained(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private async flush(): Promise<void> {
    // Let callers in the same tick join this request, as the suite's producer does.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const messages = this.queue.splice(0, MAX_RECORDS_PER_REQUEST);
      try {
        await this.producer.sendBatch({ ...KAFKA_PRODUCE_REQUEST_SETTINGS, topicMessages: [{ topic: this.topic, messages }] });
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
  }
}

