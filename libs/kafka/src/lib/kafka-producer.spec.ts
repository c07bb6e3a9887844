import { Logger } from '@nestjs/common';
import type { Message } from 'kafkajs';
import type { KafkaClient } from './kafka-client';
import { MAX_BYTES_PER_REQUEST, MAX_RECORDS_PER_REQUEST } from './kafka-settings';
import { KafkaProducer, splitIntoRequests } from './kafka-producer';

describe('splitIntoRequests', () => {
  const record = (bytes: number, key = 'k') => ({ key, value: Buffer.alloc(bytes - key.length) });

  it('keeps a send that fits one request whole', () => {
    const messages = [record(100), record(200)];
    expect(splitIntoRequests(messages)).toEqual([{ part: messages, bytes: 300 }]);
  });

  it('splits by bytes and by count, in order, and never leaves a record out', () => {
    const big = Array.from({ length: 5 }, () => record(300 * 1024));
    const bySize = splitIntoRequests(big);
    expect(bySize.map(({ part }) => part.length)).toEqual([2, 2, 1]);
    expect(bySize.flatMap(({ part }) => part)).toEqual(big);
    expect(bySize.every(({ bytes }) => bytes <= MAX_BYTES_PER_REQUEST)).toBe(true);
    const many = Array.from({ length: MAX_RECORDS_PER_REQUEST + 1 }, () => record(10));
    expect(splitIntoRequests(many).map(({ part }) => part.length)).toEqual([MAX_RECORDS_PER_REQUEST, 1]);
  });

  it('sends a record larger than a request alone (the broker decides)', () => {
    expect(splitIntoRequests([record(10), record(MAX_BYTES_PER_REQUEST + 1), record(10)]).map(({ part }) => part.length)).toEqual([1, 1, 1]);
  });
});

describe('KafkaProducer with a partition whose leader is gone', () => {
  /**
   * A kafkajs producer under the test's control: a request that carries a record of a stuck
   * partition never completes (as kafkajs retries forever while the partition has no leader);
   * every other request completes at once.
   */
  class ControllableProducer {
    readonly requests: Array<{ topic: string; partitions: number[]; values: string[] }> = [];
    readonly stuck = new Set<number>();
    private release: Array<() => void> = [];

    connect = () => Promise.resolve();
    disconnected = false;
    /** The values sent before the producer disconnected. */
    sentBeforeDisconnect: string[] = [];
    disconnect = () => {
      this.disconnected = true;
      this.sentBeforeDisconnect = this.requests.flatMap((request) => request.values);
      return Promise.resolve();
    };

    sendBatch({ topicMessages }: { topicMessages: Array<{ topic: string; messages: Message[] }> }): Promise<void> {
      const [{ topic, messages }] = topicMessages;
      const partitions = [...new Set(messages.map((message) => message.partition as number))];
      this.requests.push({ topic, partitions, values: messages.map((message) => String(message.value)) });
      if (!partitions.some((partition) => this.stuck.has(partition))) return Promise.resolve();
      return new Promise((resolve) => this.release.push(resolve));
    }

    unstick(): void {
      this.stuck.clear();
      for (const release of this.release.splice(0)) release();
    }
  }

  /** The producer's shutdown step (KafkaClient.onShutdown), as the last test producer registered it. */
  let shutdown: () => Promise<void> = async () => undefined;

  function producerWith(kafkajs: ControllableProducer, leaders: number[], sendTimeoutMs = 300): KafkaProducer {
    const admin = {
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
        topics: topics.map((name) => ({ name, partitions: leaders.map((leader, partitionId) => ({ partitionId, leader, replicas: [leader], isr: [leader], partitionErrorCode: 0 })) })),
      }),
    };
    const client = {
      options: { sendTimeoutMs },
      kafka: { producer: () => kafkajs },
      admin,
      connected: async () => undefined,
      onShutdown: (step: () => Promise<void>) => (shutdown = step),
    };
    return new KafkaProducer(client as unknown as KafkaClient);
  }

  beforeAll(() => Logger.overrideLogger(false));

  it('fails what times out behind the stuck partition, never produces it later, and keeps serving the other leaders', async () => {
    const kafkajs = new ControllableProducer();
    // Partition 0 led by broker 1 (gone), partition 1 by broker 2.
    const producer = producerWith(kafkajs, [1, 2]);
    kafkajs.stuck.add(0);

    const stuckSend = producer.sendRaw('t', [{ key: null, value: 'first on 0', partition: 0 }]);
    while (kafkajs.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const queuedBehind = producer.sendRaw('t', [{ key: null, value: 'second on 0', partition: 0 }]);
    await expect(producer.sendRaw('t', [{ key: null, value: 'on 1', partition: 1 }])).resolves.toBeUndefined();
    // Lease renewals and everything else on the live leader go on while partition 0 is stuck.
    for (let i = 0; i < 3; i += 1) await expect(producer.sendRaw('t', [{ key: null, value: `more on 1 #${i}`, partition: 1 }])).resolves.toBeUndefined();

    await expect(stuckSend).rejects.toThrow('kafka produce to t not acknowledged within 300 ms');
    await expect(queuedBehind).rejects.toThrow('not acknowledged within 300 ms');

    kafkajs.unstick();
    await expect(producer.sendRaw('t', [{ key: null, value: 'third on 0', partition: 0 }])).resolves.toBeUndefined();
    const values = kafkajs.requests.flatMap((request) => request.values);
    expect(values).toContain('first on 0'); // it was in flight: it may land (the caller was told it might not)
    expect(values).not.toContain('second on 0'); // it was still queued when it failed: never produced
    expect(kafkajs.requests.every((request) => request.partitions.length === 1)).toBe(true);
  });

  it('batches concurrent sends to partitions of one leader into one request, keeping each key on its partition', async () => {
    const kafkajs = new ControllableProducer();
    const producer = producerWith(kafkajs, [1, 1, 1]);
    await Promise.all(['a', 'b', 'c', 'd', 'a', 'b'].map((key, i) => producer.sendRaw('t', [{ key, value: `${key}${i}` }])));
    expect(kafkajs.requests).toHaveLength(1);
    const [request] = kafkajs.requests;
    expect(request.values).toEqual(['a0', 'b1', 'c2', 'd3', 'a4', 'b5']);
  });
  describe('on close', () => {
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
    afterEach(() => jest.useRealTimers());

    it('sends what is queued before it disconnects, and refuses later sends', async () => {
      const kafkajs = new ControllableProducer();
      const producer = producerWith(kafkajs, [1], 60_000);
      kafkajs.stuck.add(0);
      const inFlight = producer.sendRaw('t', [{ key: null, value: 'in flight', partition: 0 }]);
      while (kafkajs.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
      // Queued behind the request in flight (a partition is in one request at a time).
      const queued = producer.sendRaw('t', [{ key: null, value: 'queued', partition: 0 }]);
      await new Promise((resolve) => setImmediate(resolve));
      const closing = shutdown();
      await jest.advanceTimersByTimeAsync(1000);
      expect(kafkajs.disconnected).toBe(false);
      kafkajs.unstick();
      await closing;
      await expect(Promise.all([inFlight, queued])).resolves.toEqual([undefined, undefined]);
      expect(kafkajs.sentBeforeDisconnect).toEqual(['in flight', 'queued']);
      await expect(producer.sendRaw('t', [{ key: null, value: 'too late', partition: 0 }])).rejects.toThrow('producer is closed');
    });

    it('waits at most 5 s for a request that is not acknowledged, then disconnects anyway', async () => {
      const kafkajs = new ControllableProducer();
      const producer = producerWith(kafkajs, [1], 60_000);
      kafkajs.stuck.add(0);
      void producer.sendRaw('t', [{ key: null, value: 'stuck', partition: 0 }]).catch(() => undefined);
      while (kafkajs.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
      let closed = false;
      void shutdown().then(() => (closed = true));
      await jest.advanceTimersByTimeAsync(4999);
      expect(closed).toBe(false);
      expect(kafkajs.disconnected).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(closed).toBe(true);
      expect(kafkajs.disconnected).toBe(true);
    });
  });
});
