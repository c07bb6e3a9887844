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
  /** kafkajs consumers the ManagedConsumer created, and how often it ran one. */
  created = 0;
  runs = 0;
  disconnects = 0;
  /** Heartbeats sent from inside a batch. */
  heartbeats = 0;
  /** The CRASH listener of the newest consumer. */
  private crashListener: ((event: { payload: { error: Error; restart: boolean } }) => void) | undefined;

  readonly consumer = {
    events: { GROUP_JOIN: 'join', REBALANCING: 'rebalancing', CRASH: 'crash' },
    on: (event: string, listener: (event: { payload: { error: Error; restart: boolean } }) => void) => {
      if (event === 'crash') this.crashListener = listener;
    },
    connect: async () => undefined,
    subscribe: async () => undefined,
    disconnect: async () => void (this.disconnects += 1),
    run: async ({ eachBatch }: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      this.eachBatch = eachBatch;
      this.runs += 1;
      this.running();
    },
    commitOffsets: async (offsets: Array<{ offset: string }>) => void this.steps.push(`commit ${offsets.map((o) => o.offset).join(',')}`),
  };

  readonly client = {
    kafka: {
      consumer: () => {
        this.created += 1;
        return this.consumer;
      },
    },
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
      heartbeat: async () => void (this.heartbeats += 1),
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  }

  /** The consumer crashes as kafkajs reports it; `restart`: kafkajs restarts it by itself. */
  crash(error: Error, restart: boolean): void {
    this.crashListener?.({ payload: { error, restart } });
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

describe('ManagedConsumer, a batch that fails', () => {
  it('retries it record by record when it failed with anything but a TransientError: only the bad record is retried and dead-lettered', async () => {
    const kafka = new FakeKafka();
    const { consumer, deadLetters } = consumerOf(kafka, {
      maxAttempts: 3,
      handleBatch: async (records) => {
        const values = records.map((record) => record.value?.toString()).join(',');
        kafka.steps.push(`try ${values}`);
        if (values.includes('bad')) throw new Error('bug');
      },
    });
    void consumer.start();
    await kafka.batch(['ok', 'bad', 'after']);
    await consumer.stop();

    expect(deadLetters).toEqual(['t.dlq bad']);
    expect(kafka.steps).toEqual(['try ok,bad,after', 'try ok', 'try bad', 'try bad', 'try bad', 'dead-letter bad', 'try after', 'resolve 2', 'commit 3']);
  });

  it('retries it whole when it failed with a TransientError, beyond maxAttempts, and dead-letters nothing', async () => {
    const kafka = new FakeKafka();
    let failures = 3;
    const { consumer, deadLetters } = consumerOf(kafka, {
      maxAttempts: 2,
      handleBatch: async (records) => {
        kafka.steps.push(`try ${records.map((record) => record.value?.toString()).join(',')}`);
        if (failures-- > 0) throw new TransientError('database away');
      },
    });
    void consumer.start();
    await kafka.batch(['a', 'b']);
    await consumer.stop();

    expect(deadLetters).toEqual([]);
    expect(kafka.steps).toEqual(['try a,b', 'try a,b', 'try a,b', 'try a,b', 'resolve 1', 'commit 2']);
  });
});

describe('ManagedConsumer, with a fake clock', () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    // Backoff delays at their ceiling, so the waits below are exact.
    jest.spyOn(Math, 'random').mockReturnValue(1);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  /** Lets the consumer's promise chains run (setImmediate is real), until `condition` holds. */
  async function until(condition: () => boolean): Promise<void> {
    for (let turns = 0; !condition(); turns += 1) {
      if (turns > 1000) throw new Error('condition not reached');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('heartbeats every second while it waits to retry, so the group keeps the member', async () => {
    const kafka = new FakeKafka();
    let attempts = 0;
    const { consumer } = consumerOf(kafka, {
      retryBackoff: { initialMs: 3000, maxMs: 3000 },
      handle: async () => {
        attempts += 1;
        if (attempts === 1) throw new TransientError('database away');
      },
    });
    void consumer.start();
    const batch = kafka.batch(['r']);
    await until(() => attempts === 1);

    // The 3 s wait is three sleeps of a second, each followed by a heartbeat.
    await jest.advanceTimersByTimeAsync(999);
    expect(kafka.heartbeats).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(kafka.heartbeats).toBe(1);
    await jest.advanceTimersByTimeAsync(1999);
    expect([kafka.heartbeats, attempts]).toEqual([2, 1]);
    await jest.advanceTimersByTimeAsync(1);
    await batch;
    expect(attempts).toBe(2);
    // The third heartbeat ends the wait; one more goes out once the record is done.
    expect(kafka.heartbeats).toBe(4);
    await consumer.stop();
    expect(kafka.steps).toEqual(['resolve 0', 'commit 1']);
  });

  it('ends the wait when the service stops, leaving the record uncommitted for the next owner', async () => {
    const kafka = new FakeKafka();
    let attempts = 0;
    const { consumer } = consumerOf(kafka, {
      retryBackoff: { initialMs: 60_000, maxMs: 60_000 },
      handle: async () => {
        attempts += 1;
        throw new TransientError('database away');
      },
    });
    void consumer.start();
    const batch = kafka.batch(['r']);
    await until(() => attempts === 1);
    await consumer.stop();
    await batch;
    expect(attempts).toBe(1);
    expect(kafka.steps).toEqual([]);
  });

  it('replaces a consumer kafkajs gave up on with a new one after a backoff, and leaves one kafkajs restarts to kafkajs', async () => {
    const kafka = new FakeKafka();
    const { consumer } = consumerOf(kafka, { handle: async () => undefined });
    await consumer.start();
    expect([kafka.created, kafka.runs]).toEqual([1, 1]);

    kafka.crash(new Error('retriable'), true);
    await jest.advanceTimersByTimeAsync(20_000);
    expect([kafka.created, kafka.runs]).toEqual([1, 1]);

    kafka.crash(new Error('fatal'), false);
    expect(consumer.status()).toMatchObject({ joined: false, lastError: 'Error: fatal' });
    // The first replacement waits the backoff's first step: 500 ms.
    await until(() => kafka.disconnects === 1);
    await new Promise((resolve) => setImmediate(resolve));
    await jest.advanceTimersByTimeAsync(499);
    expect(kafka.created).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    await until(() => kafka.runs === 2);
    expect(kafka.created).toBe(2);
    await consumer.stop();
  });
});
