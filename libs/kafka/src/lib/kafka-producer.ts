import { Injectable, Logger } from '@nestjs/common';
import type { IHeaders, Message, PartitionMetadata, Producer, TopicMessages } from 'kafkajs';
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

/** Consecutive records of one send for one partition, small enough for one produce request. */
interface Chunk {
  topic: string;
  partition: number;
  messages: Message[];
  /** Key and value bytes of `messages`. */
  bytes: number;
  /** queued: waiting; sent: in a produce request; dropped: its send timed out before it went out. */
  state: 'queued' | 'sent' | 'dropped';
  done: (error?: Error) => void;
}

/** What the producer knows of a topic's partitions: how many, and who leads each (-1: unknown). */
interface TopicLayout {
  leaders: number[];
  fetchedAt: number;
}

const CLOSE_FLUSH_TIMEOUT_MS = 5000;
/** Produce requests in flight at once (one per partition leader, partitions never in two at once). */
const MAX_REQUESTS_IN_FLIGHT = 8;
/** A request in flight this long suggests a leader moved: the partition leaders are fetched again (at most this often). */
const LAYOUT_REFRESH_MS = 2000;

/**
 * The one producer of a service: idempotent, acknowledged by all in-sync replicas, retried by kafkajs
 * with backoff. Concurrent `send` calls are queued and go out together in the next produce request.
 * A partition is in at most one request at a time (that keeps per-key order under retries), and a
 * request carries the partitions of one leader, so a partition whose leader is gone holds up only
 * the partitions of that leader, not every send of the service: requests to the other leaders go on.
 * A send not acknowledged within `sendTimeoutMs` fails; if it was still queued it is taken out and
 * never produced. A resolved `send` means the records are durable in Kafka.
 */
@Injectable()
export class KafkaProducer {
  private readonly logger = new Logger(KafkaProducer.name);
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;
  private queue: Chunk[] = [];
  /** Partitions (topic/partition) in a request in flight. */
  private readonly busy = new Set<string>();
  /** Leaders with a request in flight, and since when. */
  private readonly leadersInFlight = new Map<number, number>();
  private readonly requests = new Set<Promise<void>>();
  private readonly layouts = new Map<string, Promise<TopicLayout>>();
  /** The last layout fetched of each topic, for grouping queued chunks by leader without waiting. */
  private readonly knownLayouts = new Map<string, TopicLayout>();
  private layoutRefreshedAt = 0;
  private readonly partitioner = KAFKA_PRODUCER_SETTINGS.createPartitioner();
  private flushScheduled = false;
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
    const stopwatch = KafkaMetrics.produceDuration.startTimer({ topic });
    const chunks: Chunk[] = [];
    const accepted = this.enqueue(topic, messages, chunks);
    const result = withTimeout(accepted, this.sendTimeoutMs, `kafka produce to ${topic} not acknowledged within ${this.sendTimeoutMs} ms`);
    result.then(stopwatch, () => {
      KafkaMetrics.produceFailures.inc({ topic }, messages.length);
      // What has not gone out yet never will: the caller was told it failed.
      for (const chunk of chunks) if (chunk.state === 'queued') chunk.state = 'dropped';
      this.queue = this.queue.filter((chunk) => chunk.state === 'queued');
    });
    return result;
  }

  /**
   * Work that must still produce when the service stops, after its consumers finished (they stop
   * first) and before the producer flushes and disconnects, e.g. a last metrics sample.
   */
  beforeClose(hook: () => Promise<void>): void {
    this.beforeCloseHooks.push(hook);
  }

  /** Splits a send into per-partition chunks (in order) and queues them; resolves when all are acknowledged. */
  private async enqueue(topic: string, messages: Message[], chunks: Chunk[]): Promise<void> {
    await this.connect();
    const layout = await this.layoutOf(topic);
    const byPartition = new Map<number, Message[]>();
    for (const message of messages) {
      const partition = message.partition ?? this.partitioner({ topic, partitionMetadata: partitionMetadataOf(layout), message });
      const list = byPartition.get(partition) ?? [];
      list.push({ ...message, partition });
      byPartition.set(partition, list);
    }
    const settled: Promise<void>[] = [];
    for (const [partition, list] of byPartition) {
      // A large send goes out in several requests, in order: the broker refuses a partition's batch
      // above message.max.bytes.
      for (const { part, bytes } of splitIntoRequests(list)) {
        settled.push(
          new Promise<void>((resolve, reject) => {
            const chunk: Chunk = { topic, partition, messages: part, bytes, state: 'queued', done: (error) => (error ? reject(error) : resolve()) };
            chunks.push(chunk);
            this.queue.push(chunk);
          }),
        );
      }
    }
    this.scheduleFlush();
    await Promise.all(settled);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Let callers in the same tick join this request.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Starts a request for each leader that has none in flight and has queued records of idle partitions. */
  private flush(): void {
    this.refreshLayoutsIfStuck();
    while (this.requests.size < MAX_REQUESTS_IN_FLIGHT) {
      const batch = this.takeBatch();
      if (!batch) return;
      const request = this.produce(batch.leader, batch.chunks);
      this.requests.add(request);
      void request.finally(() => {
        this.requests.delete(request);
        this.flush();
      });
    }
  }

  /**
   * The oldest queued chunk whose partition is idle and whose leader has no request in flight, with
   * the chunks after it of the same leader that still fit the request. A partition whose earlier
   * chunk could not join stops joining, so each partition's records go out in order.
   */
  private takeBatch(): { leader: number; chunks: Chunk[] } | null {
    let leader: number | undefined;
    const chunks: Chunk[] = [];
    const skipped = new Set<string>();
    let count = 0;
    let bytes = 0;
    for (const chunk of this.queue) {
      const key = partitionKey(chunk.topic, chunk.partition);
      if (this.busy.has(key) || skipped.has(key)) continue;
      const chunkLeader = this.leaderOf(chunk);
      if (leader === undefined) {
        if (this.leadersInFlight.has(chunkLeader)) {
          skipped.add(key);
          continue;
        }
        leader = chunkLeader;
      } else if (chunkLeader !== leader || !fitsRequest(count + chunk.messages.length, bytes + chunk.bytes)) {
        skipped.add(key);
        continue;
      }
      chunks.push(chunk);
      count += chunk.messages.length;
      bytes += chunk.bytes;
    }
    if (leader === undefined) return null;
    const taken = new Set(chunks);
    this.queue = this.queue.filter((chunk) => !taken.has(chunk));
    return { leader, chunks };
  }

  private async produce(leader: number, chunks: Chunk[]): Promise<void> {
    const keys = [...new Set(chunks.map((chunk) => partitionKey(chunk.topic, chunk.partition)))];
    for (const key of keys) this.busy.add(key);
    this.leadersInFlight.set(leader, Date.now());
    for (const chunk of chunks) chunk.state = 'sent';
    try {
      await this.producer.sendBatch({ ...KAFKA_PRODUCE_REQUEST_SETTINGS, topicMessages: groupByTopic(chunks) });
      for (const chunk of chunks) {
        KafkaMetrics.produced.inc({ topic: chunk.topic }, chunk.messages.length);
        chunk.done();
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.logger.error({ msg: 'produce failed', error: describeError(failure), records: chunks.reduce((sum, chunk) => sum + chunk.messages.length, 0) });
      for (const chunk of chunks) chunk.done(failure);
      this.layouts.clear();
    } finally {
      for (const key of keys) this.busy.delete(key);
      this.leadersInFlight.delete(leader);
    }
  }

  /** Partition counts and leaders of a topic, fetched once and again when a leader seems gone. */
  private layoutOf(topic: string): Promise<TopicLayout> {
    let layout = this.layouts.get(topic);
    if (!layout) {
      layout = this.client.admin.fetchTopicMetadata({ topics: [topic] }).then(({ topics: [metadata] }) => {
        const leaders: number[] = [];
        for (const partition of metadata.partitions) leaders[partition.partitionId] = partition.leader;
        const fetched = { leaders, fetchedAt: Date.now() };
        this.knownLayouts.set(topic, fetched);
        return fetched;
      });
      layout.catch(() => this.layouts.delete(topic));
      this.layouts.set(topic, layout);
    }
    return layout;
  }

  /** The leader the layout last named for a chunk's partition (-1 when unknown: such chunks go together). */
  private leaderOf(chunk: Chunk): number {
    const known = this.knownLayouts.get(chunk.topic);
    return known?.leaders[chunk.partition] ?? -1;
  }

  /** A request in flight for long: fetch the leaders again, so partitions that moved to another broker go on there. */
  private refreshLayoutsIfStuck(): void {
    const now = Date.now();
    const stuck = [...this.leadersInFlight.values()].some((since) => now - since > LAYOUT_REFRESH_MS);
    if (!stuck || now - this.layoutRefreshedAt < LAYOUT_REFRESH_MS) return;
    this.layoutRefreshedAt = now;
    const topics = [...new Set(this.queue.map((chunk) => chunk.topic))];
    for (const topic of topics) {
      this.layouts.delete(topic);
      this.layoutOf(topic).then(
        () => this.flush(),
        () => undefined,
      );
    }
    // Queued chunks wait for the next request to end or the next send; this keeps them from waiting for either.
    setTimeout(() => this.flush(), LAYOUT_REFRESH_MS).unref();
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

  private async close(): Promise<void> {
    for (const hook of this.beforeCloseHooks) {
      await hook().catch((error: unknown) => this.logger.warn({ msg: 'work before producer close failed', error: describeError(error) }));
    }
    this.closed = true;
    // Give queued records a bounded chance to go out; what does not is the callers' to retry.
    const drained = (async () => {
      while (this.requests.size > 0 || this.queue.length > 0) {
        if (this.requests.size === 0) this.flush();
        await Promise.race(this.requests);
      }
    })();
    await withTimeout(drained, CLOSE_FLUSH_TIMEOUT_MS, 'flush on close timed out').catch(() => undefined);
    await this.producer.disconnect();
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

function partitionMetadataOf(layout: TopicLayout): PartitionMetadata[] {
  return layout.leaders.map((leader, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [], isr: [] }));
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

function groupByTopic(batch: Chunk[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const chunk of batch) {
    const list = byTopic.get(chunk.topic) ?? [];
    list.push(...chunk.messages);
    byTopic.set(chunk.topic, list);
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
