import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Message } from 'kafkajs';
import { withTimeout } from '@chat/helpers';
import type { TopicSpec } from '@chat/protocol';
import { fetchTopicEnds, KafkaClient, kafkaConsumerSettings, KafkaProducer, toConsumedRecord, type ConsumedRecord, type OutgoingRecord, type PartitionEnd } from '@chat/kafka';
import { kafkaSecurityOf } from '@chat/service-kit';
import type { ChatctlConfig } from '../config';

/** A failure the operator is told about (exit 1): what failed, in words. */
export class CommandFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandFailed';
  }
}

/** Where to read one partition: from `from` (inclusive) up to `to` (exclusive, a high watermark seen before). */
export interface PartitionRange {
  partition: number;
  from: bigint;
  to: bigint;
}

/**
 * chatctl's connection to the cluster, made the way the services make theirs: libs/kafka's client
 * (same kafkajs settings, topics provisioned on connect) and its idempotent producer, acknowledged by
 * all in-sync replicas. Reads need no consumer group of their own: each read is a throwaway group
 * member (`chatctl.read.<uuid>`) that seeks to the offsets asked for and never commits, so it leaves
 * no committed offsets behind and is never mistaken for a real consumer.
 */
export class Cluster {
  private readonly client: KafkaClient;
  readonly producer: KafkaProducer;
  private started = false;

  constructor(
    private readonly config: ChatctlConfig,
    /** Topics this command writes to; created when missing, as the services do. */
    topics: TopicSpec[],
  ) {
    this.client = new KafkaClient({
      clientId: `chatctl-${randomUUID().slice(0, 8)}`,
      brokers: config.KAFKA_BROKERS,
      security: kafkaSecurityOf(config),
      topics,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      sendTimeoutMs: config.timeoutMs,
    });
    this.producer = new KafkaProducer(this.client);
  }

  get admin(): Admin {
    return this.client.admin;
  }

  /** Connects (and provisions this command's topics); fails after the command's timeout instead of retrying forever. */
  async connect(): Promise<void> {
    this.started = true;
    this.client.onApplicationBootstrap();
    await withTimeout(this.client.connected(), this.config.timeoutMs, `could not reach Kafka at ${this.config.KAFKA_BROKERS.join(',')} within ${this.config.timeoutMs} ms`).catch(
      (error: unknown) => {
        throw new CommandFailed(error instanceof Error ? error.message : String(error), { cause: error });
      },
    );
  }

  async close(): Promise<void> {
    if (this.started) await this.client.beforeApplicationShutdown();
  }

  async topicExists(topic: string): Promise<boolean> {
    return (await this.admin.listTopics()).includes(topic);
  }

  ends(topics: string[]): Promise<PartitionEnd[]> {
    return fetchTopicEnds(this.admin, topics);
  }

  send(topic: string, records: OutgoingRecord[]): Promise<void> {
    return this.producer.send(topic, records);
  }

  sendRaw(topic: string, messages: Message[]): Promise<void> {
    return this.producer.sendRaw(topic, messages);
  }

  /**
   * Reads the given ranges of a topic's partitions, in offset order per partition, and resolves once
   * every range was read to its end (or `stop` returned true for a record). Empty ranges are skipped.
   */
  async read(topic: string, ranges: PartitionRange[], onRecord: (record: ConsumedRecord) => boolean | void, options: { timeoutMs?: number; purpose?: string } = {}): Promise<void> {
    const pending = new Map(ranges.filter((range) => range.from < range.to).map((range) => [range.partition, range]));
    if (pending.size === 0) return;
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs;
    const consumer = this.client.kafka.consumer(kafkaConsumerSettings(`chatctl.read.${randomUUID()}`, 10_000));
    let finish!: () => void;
    let fail!: (error: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = pending.get(batch.partition);
          if (!range) return;
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < range.from) continue;
            if (offset >= range.to) break;
            try {
              if (onRecord(toConsumedRecord(topic, batch.partition, message)) === true) {
                pending.clear();
                break;
              }
            } catch (error) {
              fail(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            if (offset + 1n >= range.to) pending.delete(batch.partition);
          }
          if (pending.size === 0) finish();
        },
      });
      for (const range of pending.values()) consumer.seek({ topic, partition: range.partition, offset: range.from.toString() });
      await withTimeout(done, timeoutMs, `reading ${topic}${options.purpose ? ` (${options.purpose})` : ''} did not finish within ${timeoutMs} ms`).catch((error: unknown) => {
        throw error instanceof CommandFailed ? error : new CommandFailed(error instanceof Error ? error.message : String(error), { cause: error });
      });
    } finally {
      await stopQuietly(consumer);
    }
  }

  /**
   * Reads a topic from the given start positions until `match` returns a value, or fails after
   * `timeoutMs`: how chatctl waits for an answer produced after it sent its request (start = the
   * ends it saw before sending, so nothing produced in between is missed).
   */
  async waitFor<T>(topic: string, start: PartitionEnd[], match: (record: ConsumedRecord) => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const from = new Map(start.map((end) => [end.partition, BigInt(end.high)]));
    const consumer = this.client.kafka.consumer(kafkaConsumerSettings(`chatctl.read.${randomUUID()}`, 10_000));
    let found!: (value: T) => void;
    let fail!: (error: Error) => void;
    const answer = new Promise<T>((resolve, reject) => {
      found = resolve;
      fail = reject;
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          // Before the seek takes effect the member may start at the earliest offset: skip what came before.
          if (BigInt(message.offset) < (from.get(partition) ?? 0n)) return;
          try {
            const value = match(toConsumedRecord(topic, partition, message));
            if (value !== undefined) found(value);
          } catch (error) {
            fail(error instanceof Error ? error : new Error(String(error)));
          }
        },
      });
      for (const end of start) consumer.seek({ topic, partition: end.partition, offset: end.high });
      return await withTimeout(answer, timeoutMs, `no ${what} within ${timeoutMs} ms`).catch((error: unknown) => {
        throw new CommandFailed(error instanceof Error ? error.message : String(error), { cause: error });
      });
    } finally {
      await stopQuietly(consumer);
    }
  }
}

async function stopQuietly(consumer: Consumer): Promise<void> {
  await consumer.disconnect().catch(() => undefined);
}
