import type { INestApplicationContext } from '@nestjs/common';
import { ConfigResourceTypes } from 'kafkajs';
import { z } from 'zod';
import { deadLetterTopicOf, defineRecord, type TopicSpec } from '@chat/protocol';
import { PermanentError, type ConsumedRecord, type KafkaConsumerFactory, type KafkaProducer } from '@chat/kafka';
import { expectEventually } from '@chat/testing';
import { uniqueName } from './support/environment';
import { committedOffsets, createTopic, readAll, startKafkaContext, withAdmin } from './support/kafka-test-kit';

/*
 * libs/kafka's durability rules against the real broker: a record whose dead letter cannot be
 * written (the topic refuses it) is not skipped (the partition's offset stays before it and it is tried again), and once
 * the dead-letter topic takes it the partition moves on.
 */

const Item = defineRecord('e2e.item', 1, z.strictObject({ n: z.number().int(), poison: z.boolean() }));

describe('libs/kafka durability against a real broker', () => {
  let app: INestApplicationContext;
  let producer: KafkaProducer;
  let consumers: KafkaConsumerFactory;

  beforeAll(async () => {
    ({ app, producer, consumers } = await startKafkaContext([]));
  });

  afterAll(async () => {
    await app.close();
  });

  it('leaves the offset before a poison record while its dead letter cannot be produced, and moves on once it can', async () => {
    const spec: TopicSpec = { name: uniqueName('e2e.durable'), key: 'test key', partitions: 1, compacted: false };
    const dlq = deadLetterTopicOf(spec.name);
    await createTopic(spec);
    const groupId = uniqueName('e2e-dlq-down');
    const attempts = new Map<number, number>();
    const consumer = consumers.create({
      groupId,
      topics: [spec.name],
      maxAttempts: 1,
      retryBackoff: { initialMs: 50, maxMs: 200 },
      handle: async (record: ConsumedRecord) => {
        const { payload } = Item.decode(record.value);
        attempts.set(payload.n, (attempts.get(payload.n) ?? 0) + 1);
        if (payload.poison) throw new PermanentError(`item ${payload.n} is poison`);
      },
    });
    // A dead-letter topic that refuses every record (the broker answers MESSAGE_TOO_LARGE); the consumer keeps an existing topic as it is.
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic: dlq.name, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '10' }] }], waitForLeaders: true }));
    await consumer.start();

    await producer.send(spec.name, [0, 1, 2].map((n) => ({ key: 'k', envelope: Item.create({ n, poison: n === 1 }) })));

    // The poison record is tried again after each failed dead letter, and nothing after it is handled or committed.
    await expectEventually(() => expect(attempts.get(1) ?? 0).toBeGreaterThanOrEqual(2), { timeoutMs: 90_000 });
    expect(attempts.get(2)).toBeUndefined();
    const stuckAt = (await committedOffsets(groupId, spec.name))[0];
    expect(stuckAt).toBeLessThanOrEqual(1);

    await withAdmin((admin) => admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: dlq.name, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }] }));
    await expectEventually(() => expect(attempts.get(2)).toBe(1), { timeoutMs: 90_000 });
    await expectEventually(async () => expect((await committedOffsets(groupId, spec.name))[0]).toBe(3), { timeoutMs: 30_000 });
    const deadLetters = await readAll(dlq.name, 1);
    expect(deadLetters.map((record) => Item.decode(record.value).payload.n)).toEqual([1]);
    await consumer.stop();
  }, 240_000);
});
