import { randomBytes, randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { deadLetterTopicOf, Headers } from '@chat/protocol';
import { rawKafka, withAdmin } from './kafka-test-kit';

/*
 * Malformed records for a topic, and a reader of dead-letter topics that keeps everything it saw,
 * for the poison-record tests. Every value carries the test's marker, so a record is recognised
 * in a dead-letter topic by its exact bytes.
 */

export type PoisonKind = 'invalid JSON' | 'JSON but no envelope' | 'envelope of a wrong type' | 'right type, bad payload';

export interface PoisonRecord {
  topic: string;
  kind: PoisonKind;
  key: string;
  value: Buffer;
}

function envelopeOf(type: string, payload: unknown): Record<string, unknown> {
  const now = Date.now();
  return { id: randomUUID(), type, v: 1, traceId: randomBytes(16).toString('hex'), occurredAt: now, producedAt: now, payload };
}

/** The four kinds of bad record for `topic`, whose consumers expect `rightType`; `wrongType` belongs elsewhere. */
export function poisonRecordsFor(topic: string, { rightType, wrongType, key, marker }: { rightType: string; wrongType: string; key: string; marker: string }): PoisonRecord[] {
  const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
  return [
    { topic, kind: 'invalid JSON', key, value: Buffer.from(`{"type": "${rightType}", "marker": "${marker}"`) },
    { topic, kind: 'JSON but no envelope', key, value: json({ hello: 'world', topic, marker, list: [1, 2, 3] }) },
    { topic, kind: 'envelope of a wrong type', key, value: json(envelopeOf(wrongType, { marker })) },
    { topic, kind: 'right type, bad payload', key, value: json(envelopeOf(rightType, { marker, userId: 42, conversationId: null })) },
  ];
}

export async function producePoison(records: PoisonRecord[]): Promise<void> {
  const producer: Producer = rawKafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const record of records) await producer.send({ topic: record.topic, acks: -1, messages: [{ key: record.key, value: record.value }] });
  } finally {
    await producer.disconnect();
  }
}

export interface DeadLetter {
  topic: string;
  value: Buffer | null;
  sourceTopic: string | undefined;
  consumerGroup: string | undefined;
}

/** Reads the dead-letter topics of `sourceTopics` (those that exist) from the beginning, until stopped. */
export class DeadLetterWatch {
  readonly letters: DeadLetter[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(sourceTopics: string[]): Promise<DeadLetterWatch> {
    const existing = new Set(await withAdmin((admin) => admin.listTopics()));
    const topics = [...new Set(sourceTopics.map((topic) => deadLetterTopicOf(topic).name))].filter((topic) => existing.has(topic));
    const consumer = rawKafka().consumer({ groupId: `e2e-dlq-watch-${randomUUID()}` });
    const watch = new DeadLetterWatch(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const header = (name: string): string | undefined => message.headers?.[name]?.toString();
        watch.letters.push({ topic, value: message.value, sourceTopic: header(Headers.dlqSourceTopic), consumerGroup: header(Headers.dlqConsumerGroup) });
      },
    });
    return watch;
  }

  /** The dead letters whose value is exactly `record`'s. */
  of(record: PoisonRecord): DeadLetter[] {
    return this.letters.filter((letter) => letter.value !== null && letter.value.equals(record.value));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
