import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { PermanentError, TransientError } from './errors';
import type { KafkaClient } from './kafka-client';
import { ManagedConsumer, type ConsumerOptions } from './kafka-consumer';
import type { KafkaProducer } from './kafka-producer';

/*
 * The consumer's dead-letter path against a stand-in kafkajs consumer: what happens, in which order,
 * between a record that cannot be handled and its offset being committed.
 */

type Step = string;

/** A kafkajs consumer that records what the ManagedConsumer does with it and hands it batches on demand. */
class FakeKafka {
  readonly steps: Step[] = [];
  eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  private running!: () => void;
  readonly run = new Promise<void>((resolve) => (this.running = resolve));

  readonly consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash' },
    on: () => undefined,
    connect: async () => undefined,
    subscribe: async () => undefined,
    disconnect: async () => undefined,
    run: async ({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      this.eachBatch = eachBatch;
      this.running();
    },
    commitOffsets: async (offsets: Array<{ offset: string }>) => void this.steps.push(`commit ${offsets.map((o) => o.offset).join(',')}`),
  };

  readonly client = {
    kafka: { consumer: () => this.consumer },
    // The dead-letter topic exists already: nothing to create.
    admin: { listTopics: async () => ['t.dlq'], fetchTopicMetadata: async () => ({ topics: [{ name: 't.dlq', partitions: [{}] }] }) },
    connected: async () => undefined,
    options: { replication: 1 },
  } as unknown as KafkaClient;

  /** Hands one batch of `values` (offsets from 0) to the consumer and waits until it is done with it. */
  async batch(values: string[]): Promise<void> {
    await this.run;
    const messages = values.map((value, offset) => ({ key: null, value: Buffer.from(value), offset: String(offset), timestamp: '0', headers: {}, attributes: 0 }) as unknown as KafkaMessage);
    await this.eachBatch?.({
      batch: { topic: 't', partition: 0, messages, highWatermark: String(values.length) },
      resolveOffset: (offset: string) => void this.steps.push(`resolve ${offset}`),
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  }
}

function consumerOf(kafka: FakeKafka, options: Partial<ConsumerOptions>): { consumer: ManagedConsumer; deadLetters: string[] } {
  const deadLetters: string[] = [];
  const producer = {
    sendRaw: async (topic: string, messages: Array<{ value: Buffer | null }>) => {
      for (const message of messages) deadLetters.push(`${topic} ${message.value?.toString() ?? ''}`);
      kafka.steps.push(`dead-letter ${messages.map((m) => m.value?.toString() ?? '').join(',')}`);
    },
  } as unknown as KafkaProducer;
  const consumer = new ManagedConsumer(kafka.client, producer, {
    groupId: 'g',
    topics: ['t'],
    retryBackoff: { initialMs: 1, maxMs: 1 },
    commitIntervalMs: 60_000,
    ...options,
  });
  return { consumer, deadLetters };
}

describe('ManagedConsumer, a record it gives up on', () => {
  it('is dead-lettered, then its observer is told, and only then is its offset done and committed', async () => {
    const kafka = new FakeKafka();
    const { consumer, deadLetters } = consumerOf(kafka, {
      handleBatch: async (records) => {
        if (records.some((record) => record.value?.toString() === 'poison')) throw new PermanentError('cannot store');
        kafka.steps.push(`handled ${records.map((record) => record.value?.toString()).join(',')}`);
      },
      onDeadLettered: async (record, error) => void kafka.steps.push(`told ${record.value?.toString() ?? ''} (${(error as Error).message})`),
    });
    void consumer.start();
    await kafka.batch(['ok', 'poison', 'after']);
    await consumer.stop();

    expect(deadLetters).toEqual(['t.dlq poison']);
    // The batch failed as a whole, so its records were handled one by one; the batch is done (its offsets resolved) after the last.
    expect(kafka.steps).toEqual(['handled ok', 'dead-letter poison', 'told poison (cannot store)', 'handled after', 'resolve 2', 'commit 3']);
  });

  it('waits for an observer that fails transiently, retrying it, and commits nothing meanwhile', async () => {
    const kafka = new FakeKafka();
    let failures = 2;
    const { consumer } = consumerOf(kafka, {
      handleBatch: async () => {
        throw new PermanentError('cannot store');
      },
      onDeadLettered: async () => {
        if (failures-- > 0) {
          kafka.steps.push('tell failed');
          throw new TransientError('broker away');
        }
        kafka.steps.push('told');
      },
    });
    void consumer.start();
    await kafka.batch(['poison']);
    await consumer.stop();
    expect(kafka.steps).toEqual(['dead-letter poison', 'tell failed', 'tell failed', 'told', 'resolve 0', 'commit 1']);
  });

  it('moves on after maxAttempts when the observer keeps failing for another reason: the dead letter is already written', async () => {
    const kafka = new FakeKafka();
    const { consumer } = consumerOf(kafka, {
      maxAttempts: 2,
      handleBatch: async () => {
        throw new PermanentError('cannot store');
      },
      onDeadLettered: async () => {
        kafka.steps.push('tell failed');
        throw new Error('bug');
      },
    });
    void consumer.start();
    await kafka.batch(['poison']);
    await consumer.stop();
    expect(kafka.steps).toEqual(['dead-letter poison', 'tell failed', 'tell failed', 'resolve 0', 'commit 1']);
  });
});
