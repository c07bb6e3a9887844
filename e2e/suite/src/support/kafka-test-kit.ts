import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel, type Admin, type IHeaders, type KafkaMessage } from 'kafkajs';
import { KafkaClient, KafkaConsumerFactory, kafkaJsSecurity, KafkaModule, KafkaProducer, provisionTopics } from '@chat/kafka';
import type { TopicSpec } from '@chat/protocol';
import type { LocalKafkaUser } from '@chat/local-infra';
import { e2e } from './environment';

/** The shared Kafka module running in the test process, as a service would run it. */
export async function startKafkaContext(topics: TopicSpec[]): Promise<{
  app: INestApplicationContext;
  producer: KafkaProducer;
  consumers: KafkaConsumerFactory;
}> {
  @Module({
    imports: [KafkaModule.forRootAsync({ useFactory: () => ({ clientId: 'e2e', brokers: e2e.kafkaBrokers.split(','), security: e2e.kafkaClientSecurity('admin'), topics, replicationFactor: 1 }) })],
  })
  class TestKafkaModule {}

  const app = await NestFactory.createApplicationContext(TestKafkaModule, { logger: ['error'] });
  await app.init();
  await app.get(KafkaClient).connected();
  return { app, producer: app.get(KafkaProducer), consumers: app.get(KafkaConsumerFactory) };
}

/** A plain kafkajs client for looking at the broker from outside the code under test (as the admin, by default). */
export function rawKafka(user: LocalKafkaUser = 'admin'): Kafka {
  return new Kafka({ clientId: 'e2e-observer', brokers: e2e.kafkaBrokers.split(','), logLevel: logLevel.NOTHING, ...kafkaJsSecurity(e2e.kafkaClientSecurity(user)) });
}

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = rawKafka().admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(spec: TopicSpec): Promise<void> {
  await withAdmin((admin) => provisionTopics(admin, [spec], 1));
}

/** The group's committed offset per partition (-1 = nothing committed). */
export async function committedOffsets(groupId: string, topic: string): Promise<Record<number, number>> {
  return withAdmin(async (admin) => {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(result.partitions.map((p) => [p.partition, Number(p.offset)]));
  });
}

export interface ReadRecord {
  key: string | null;
  value: Buffer | null;
  headers: IHeaders;
  partition: number;
  offset: string;
}

/** Every record currently in a topic, read by a throwaway consumer group. */
export async function readAll(topic: string, expectedAtLeast: number, timeoutMs = 20_000): Promise<ReadRecord[]> {
  const consumer = rawKafka().consumer({ groupId: `e2e-reader-${Date.now()}-${Math.random()}` });
  const records: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        records.push({ key: message.key?.toString() ?? null, value: message.value, headers: message.headers ?? {}, partition, offset: message.offset });
        if (records.length >= expectedAtLeast) resolve();
      },
    });
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs));
  await Promise.race([done, timeout]);
  await consumer.disconnect();
  return records;
}

/**
 * The records of some partitions of `topic` from the given offsets up to the partitions' ends as of
 * the call, read by a throwaway consumer group; fails when they do not all arrive in time.
 */
export async function readRange(topic: string, from: Record<number, number>, timeoutMs = 20_000): Promise<ReadRecord[]> {
  const ends = Object.fromEntries((await withAdmin((admin) => admin.fetchTopicOffsets(topic))).map((end) => [end.partition, Number(end.high)]));
  const missing = new Set(Object.keys(from).map(Number).filter((partition) => (from[partition] ?? 0) < (ends[partition] ?? 0)));
  const records: ReadRecord[] = [];
  if (missing.size === 0) return records;
  const consumer = rawKafka().consumer({ groupId: `e2e-range-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    let done: () => void = () => undefined;
    const complete = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        const offset = Number(message.offset);
        if (!(partition in from)) return;
        if (offset < (from[partition] ?? 0) || offset >= (ends[partition] ?? 0)) return;
        records.push({ key: message.key?.toString() ?? null, value: message.value, headers: message.headers ?? {}, partition, offset: message.offset });
        if (offset === (ends[partition] ?? 0) - 1) missing.delete(partition);
        if (missing.size === 0) done();
      },
    });
    for (const partition of missing) consumer.seek({ topic, partition, offset: String(from[partition] ?? 0) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${topic}: partitions ${[...missing].join(', ')} not read to their ends within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([complete, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return records;
}
