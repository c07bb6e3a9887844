import { Injectable, Logger } from '@nestjs/common';
import type { IHeaders, Message, Producer, TopicMessages } from 'kafkajs';
import { encodeEnvelope, Headers, type Envelope } from '@chat/protocol';
import { backoffDelay, describeError, sleep, withTimeout } from '@chat/helpers';
import { KafkaClient } from './kafka-client';
import { KafkaMetrics } from './kafka-metrics';
import { KAFKA_PRODUCE_REQUEST_SETTINGS, KAFKA_PRODUCER_SETTINGS, MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from './kafka-settings';

export interface OutgoingRecord {
  /** Decides the partition and so the order: records with one key are consumed in produce order. */
  key: string | null;
  envelope: Envelope;
  headers?: Record<string, string>;
  partition?: number;
}

interface Pending {
  topic: string;
  messages: Message[];
  /** Key and value bytes of `messages`. */
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

const CLOSE_FLUSH_TIMEOUT_MS = 5000;

/**
 * The one producer of a service: idempotent, acknowledged by all in-sync replicas, retried by kafkajs
 * with backoff. Concurrent `send` calls are queued and go out together in the next produce request
 * (one request in flight at a time keeps per-key order under retries and batches naturally under load).
 * A resolved `send` means the records are durable in Kafka.
 */
@Injectable()
export class KafkaProducer {
  private readonly logger = new Logger(KafkaProducer.name);
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  private readonly sendTimeoutMs: number;
  private readonly beforeCloseHooks: Array<() => Promise<void>> = [];

  constructor(private readonly client: KafkaClient) {
    this.sendTimeoutMs = client.options.sendTimeoutMs ?? 10000;
    this.producer = client.kafka.producer({ ...KAFKA_PRODUCER_SETTINGS });
    client.onShutdown(() => this.close());
  }

  /** Produces envelopes to one topic; trace id, produce time and record type go into headers too. */
  send(topic: string, records: OutgoingRecord[]): Promise<void> {
    const messages = records.map((record) => ({
      key: record.key,
      value: encodeEnvelope(record.envelope),
      partition: record.partition,
      headers: {
        ...record.headers,
        [Headers.traceId]: record.envelope.traceId,
        [Headers.producedAt]: String(record.envelope.producedAt),
        [Headers.recordType]: record.envelope.type,
      },
    }));
    return this.sendRaw(topic, messages);
  }

  /** Produces records as they are (used for dead letters, whose value may not even be JSON). */
  sendRaw(topic: string, messages: Message[]): Promise<void> {
    if (this.closed) {
      KafkaMetrics.produceFailures.inc({ topic }, messages.length);
      return Promise.reject(new Error('producer is closed'));
    }
    if (messages.length === 0) return Promise.resolve();
    // A large send goes out in several requests, in order: the broker refuses a partition's batch
    // above message.max.bytes, and all of a send's records may share one partition.
    const parts = splitIntoRequests(messages).map(
      ({ part, bytes }) => new Promise<void>((resolve, reject) => this.queue.push({ topic, messages: part, bytes, resolve, reject })),
    );
    const accepted = parts.length === 1 ? parts[0] : Promise.all(parts).then(() => undefined);
    this.scheduleFlush();
    const stopwatch = KafkaMetrics.produceDuration.startTimer({ topic });
    const result = withTimeout(accepted, this.sendTimeoutMs, `kafka produce to ${topic} not acknowledged within ${this.sendTimeoutMs} ms`);
    result.then(stopwatch, () => KafkaMetrics.produceFailures.inc({ topic }, messages.length));
    return result;
  }

  /**
   * Work that must still produce when the service stops, after its consumers finished (they stop
   * first) and before the producer flushes and disconnects, e.g. a last metrics sample.
   */
  beforeClose(hook: () => Promise<void>): void {
    this.beforeCloseHooks.push(hook);
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private async flushLoop(): Promise<void> {
    await this.connect();
    // Let callers in the same tick join this request.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.producer.sendBatch({ ...KAFKA_PRODUCE_REQUEST_SETTINGS, topicMessages: groupByTopic(batch) });
        for (const pending of batch) {
          KafkaMetrics.produced.inc({ topic: pending.topic }, pending.messages.length);
          pending.resolve();
        }
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.logger.error({ msg: 'produce failed', error: describeError(failure), records: batch.length });
        for (const pending of batch) pending.reject(failure);
      }
    }
  }

  /** Connects once, retrying until it works; kafkajs reconnects by itself after that. */
  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      await this.client.connected();
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.producer.connect();
          return;
        } catch (error) {
          const delay = backoffDelay(attempt, { initialMs: 500, maxMs: 10000 });
          this.logger.warn({ msg: 'producer connect failed, retrying', attempt, retryInMs: delay, error: describeError(error) });
          await sleep(delay);
        }
      }
    })();
    return this.connecting;
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    let bytes = 0;
    while (this.queue.length > 0 && (batch.length === 0 || fitsRequest(count + this.queue[0].messages.length, bytes + this.queue[0].bytes))) {
      const next = this.queue.shift() as Pending;
      count += next.messages.length;
      bytes += next.bytes;
      batch.push(next);
    }
    return batch;
  }

  private async close(): Promise<void> {
    for (const hook of this.beforeCloseHooks) {
      await hook().catch((error: unknown) => this.logger.warn({ msg: 'work before producer close failed', error: describeError(error) }));
    }
    this.closed = true;
    // Give queued records a bounded chance to go out; what does not is the callers' to retry.
    if (this.flushing) await withTimeout(this.flushing, CLOSE_FLUSH_TIMEOUT_MS, 'flush on close timed out').catch(() => undefined);
    await this.producer.disconnect();
  }
}

function fitsRequest(records: number, bytes: number): boolean {
  return records <= MAX_RECORDS_PER_REQUEST && bytes <= MAX_BYTES_PER_REQUEST;
}

function messageBytes(message: Message): number {
  const size = (data: Message['key'] | Message['value']) => (data == null ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length);
  return size(message.key) + size(message.value);
}

/** Consecutive runs of `messages` that each fit one produce request (a record alone always does). */
export function splitIntoRequests(messages: Message[]): Array<{ part: Message[]; bytes: number }> {
  const parts: Array<{ part: Message[]; bytes: number }> = [];
  let current: { part: Message[]; bytes: number } = { part: [], bytes: 0 };
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (current.part.length > 0 && !fitsRequest(current.part.length + 1, current.bytes + bytes)) {
      parts.push(current);
      current = { part: [], bytes: 0 };
    }
    current.part.push(message);
    current.bytes += bytes;
  }
  parts.push(current);
  return parts;
}

function groupByTopic(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const pending of batch) {
    const list = byTopic.get(pending.topic) ?? [];
    list.push(...pending.messages);
    byTopic.set(pending.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    result[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return result;
}
