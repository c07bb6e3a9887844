import type { INestApplicationContext } from '@nestjs/common';
import { z } from 'zod';
import { defineRecord, Headers, type TopicSpec } from '@chat/protocol';
import { PermanentError, type ConsumedRecord, type KafkaConsumerFactory, type KafkaProducer } from '@chat/kafka';
import { uniqueName } from './support/environment';
import { expectEventually } from '@chat/testing';
import { committedOffsets, createTopic, readAll, startKafkaContext } from './support/kafka-test-kit';
import { WorkerProcess } from './support/worker-process';

const Numbered = defineRecord('e2e.numbered', 1, z.strictObject({ key: z.string(), n: z.number().int() }));

function topicSpec(partitions: number): TopicSpec {
  return { name: uniqueName('e2e.kafka'), key: 'test key', partitions, compacted: false };
}

describe('libs/kafka against a real broker', () => {
  let app: INestApplicationContext;
  let producer: KafkaProducer;
  let consumers: KafkaConsumerFactory;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    ({ app, producer, consumers } = await startKafkaContext([]));
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
  });

  afterAll(async () => {
    await app.close();
  });

  it('delivers records to a consumer group in produce order per key, each key on one partition', async () => {
    const spec = topicSpec(3);
    await createTopic(spec);
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    const perKey = 40;

    const seen = new Map<string, { n: number; partition: number }[]>();
    const consumer = consumers.create({
      groupId: uniqueName('e2e-order'),
      topics: [spec.name],
      handle: async (record: ConsumedRecord) => {
        const { payload } = Numbered.decode(record.value);
        seen.set(payload.key, [...(seen.get(payload.key) ?? []), { n: payload.n, partition: record.partition }]);
      },
    });
    await consumer.start();

    // Concurrent sends: the producer must keep each key's order while batching them together.
    const sends: Promise<void>[] = [];
    for (let n = 0; n < perKey; n += 1) {
      for (const key of keys) sends.push(producer.send(spec.name, [{ key, envelope: Numbered.create({ key, n }) }]));
    }
    await Promise.all(sends);

    await expectEventually(() => expect([...seen.values()].reduce((sum, list) => sum + list.length, 0)).toBe(keys.length * perKey));
    for (const key of keys) {
      const records = seen.get(key) ?? [];
      expect(records.map((r) => r.n)).toEqual(Array.from({ length: perKey }, (_, n) => n));
      expect(new Set(records.map((r) => r.partition)).size).toBe(1);
    }
    const partitionsUsed = new Set([...seen.values()].map((list) => list[0].partition));
    expect(partitionsUsed.size).toBeGreaterThan(1);
    await consumer.stop();
  });

  it('redelivers a record whose consumer was SIGKILLed after handling it but before committing', async () => {
    const spec = topicSpec(1);
    await createTopic(spec);
    const groupId = uniqueName('e2e-crash');
    await producer.sendRaw(spec.name, [{ key: 'k', value: 'first' }]);

    const doomed = new WorkerProcess({ TOPIC: spec.name, GROUP_ID: groupId, BLOCK_AFTER_HANDLING: '1', SESSION_TIMEOUT_MS: '6000' });
    workers.push(doomed);
    await expectEventually(() => expect(doomed.handled().map((e) => e.value)).toEqual(['first']), { timeoutMs: 60_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${doomed.diagnostics()}`);
    });
    await doomed.kill('SIGKILL');
    expect(await committedOffsets(groupId, spec.name)).toEqual({ 0: -1 });

    const survivor = new WorkerProcess({ TOPIC: spec.name, GROUP_ID: groupId, SESSION_TIMEOUT_MS: '6000' });
    workers.push(survivor);
    await expectEventually(() => expect(survivor.handled().map((e) => e.value)).toEqual(['first']), { timeoutMs: 60_000 });
    await expectEventually(async () => expect(await committedOffsets(groupId, spec.name)).toEqual({ 0: 1 }));
  });

  it('commits handled records on its cadence without waiting for another batch, and everything handled when stopped', async () => {
    const spec = topicSpec(1);
    await createTopic(spec);
    const groupId = uniqueName('e2e-cadence');
    const handled: string[] = [];
    const member = (commitIntervalMs?: number) =>
      consumers.create({ groupId, topics: [spec.name], commitIntervalMs, handle: async (record: ConsumedRecord) => void handled.push(record.offset) });

    const first = member();
    await first.start();
    await producer.sendRaw(spec.name, ['a', 'b', 'c'].map((value) => ({ key: 'k', value })));
    await expectEventually(() => expect(handled).toHaveLength(3));
    // Nothing more arrives, so only the cadence can commit these.
    await expectEventually(async () => expect(await committedOffsets(groupId, spec.name)).toEqual({ 0: 3 }));
    await first.stop();

    // A cadence that never comes while the test runs: only stopping can commit the next two.
    const second = member(3_600_000);
    await second.start();
    await producer.sendRaw(spec.name, ['d', 'e'].map((value) => ({ key: 'k', value })));
    await expectEventually(() => expect(handled).toHaveLength(5));
    expect(await committedOffsets(groupId, spec.name)).toEqual({ 0: 3 });
    await second.stop();
    expect(await committedOffsets(groupId, spec.name)).toEqual({ 0: 5 });
    expect(handled).toEqual(['0', '1', '2', '3', '4']);
  });

  it('dead-letters a poison record intact and goes on with the records after it', async () => {
    const spec = topicSpec(1);
    await createTopic(spec);
    const handled: number[] = [];
    const consumer = consumers.create({
      groupId: uniqueName('e2e-dlq'),
      topics: [spec.name],
      maxAttempts: 3,
      retryBackoff: { initialMs: 10, maxMs: 50 },
      handle: async (record) => {
        const { payload } = Numbered.decode(record.value);
        if (payload.n === 3) throw new Error('handler keeps failing on n=3');
        if (payload.n === 4) throw new PermanentError('n=4 can never be processed');
        handled.push(payload.n);
      },
    });
    await consumer.start();

    await producer.send(spec.name, [{ key: 'a', envelope: Numbered.create({ key: 'a', n: 1 }) }]);
    await producer.sendRaw(spec.name, [{ key: 'poison-key', value: Buffer.from('{"not": "an envelope"'), headers: { origin: 'fuzzer', binary: Buffer.from([0, 255, 1]) } }]);
    await producer.send(spec.name, [
      { key: 'a', envelope: Numbered.create({ key: 'a', n: 2 }) },
      { key: 'a', envelope: Numbered.create({ key: 'a', n: 3 }) },
      { key: 'a', envelope: Numbered.create({ key: 'a', n: 4 }) },
      { key: 'a', envelope: Numbered.create({ key: 'a', n: 5 }) },
    ]);

    await expectEventually(() => expect(handled).toEqual([1, 2, 5]));
    const dead = await readAll(`${spec.name}.dlq`, 3);
    expect(dead).toHaveLength(3);

    const [poison, keepsFailing, permanent] = dead;
    expect(poison.key).toBe('poison-key');
    expect(poison.value?.toString()).toBe('{"not": "an envelope"');
    expect(poison.headers['origin']?.toString()).toBe('fuzzer');
    expect(Buffer.compare(poison.headers['binary'] as Buffer, Buffer.from([0, 255, 1]))).toBe(0);
    expect(poison.headers[Headers.dlqError]?.toString()).toMatch(/ProtocolError: .*JSON/);
    expect(poison.headers[Headers.dlqSourceTopic]?.toString()).toBe(spec.name);
    expect(poison.headers[Headers.dlqSourceOffset]?.toString()).toBe('1');
    expect(poison.headers[Headers.dlqAttempts]?.toString()).toBe('1');

    expect(JSON.parse(keepsFailing.value?.toString() ?? '{}')).toMatchObject({ payload: { n: 3 } });
    expect(keepsFailing.headers[Headers.dlqAttempts]?.toString()).toBe('3');
    expect(keepsFailing.headers[Headers.dlqError]?.toString()).toContain('handler keeps failing on n=3');
    expect(keepsFailing.headers[Headers.traceId]).toBeDefined();

    expect(permanent.headers[Headers.dlqAttempts]?.toString()).toBe('1');
    expect(permanent.headers[Headers.dlqError]?.toString()).toContain('PermanentError');
    await consumer.stop();
  });

  it('splits partitions between two members of a group and hands a killed member’s partitions to the other, skipping nothing', async () => {
    const spec = topicSpec(4);
    await createTopic(spec);
    const groupId = uniqueName('e2e-group');
    const first = new WorkerProcess({ TOPIC: spec.name, GROUP_ID: groupId, SESSION_TIMEOUT_MS: '6000' });
    workers.push(first);
    await expectEventually(() => expect(first.partitions()).toHaveLength(4), { timeoutMs: 60_000 });
    const second = new WorkerProcess({ TOPIC: spec.name, GROUP_ID: groupId, SESSION_TIMEOUT_MS: '6000' });
    workers.push(second);
    await expectEventually(
      () => {
        expect(first.partitions()?.length).toBeGreaterThan(0);
        expect(second.partitions()?.length).toBeGreaterThan(0);
        expect([...(first.partitions() ?? []), ...(second.partitions() ?? [])].sort()).toEqual([0, 1, 2, 3]);
      },
      { timeoutMs: 60_000 },
    );

    const produce = (from: number, to: number) =>
      producer.sendRaw(
        spec.name,
        Array.from({ length: to - from }, (_, i) => ({ key: `k${(from + i) % 16}`, value: `v${from + i}` })),
      );
    await produce(0, 200);
    await expectEventually(() => expect(new Set([...first.handled(), ...second.handled()].map((e) => e.value)).size).toBe(200));
    expect(first.handled().length).toBeGreaterThan(0);
    expect(second.handled().length).toBeGreaterThan(0);

    await second.kill('SIGKILL');
    await produce(200, 400);
    await expectEventually(() => expect(first.partitions()).toHaveLength(4), { timeoutMs: 60_000 });
    const expected = Array.from({ length: 400 }, (_, i) => `v${i}`).sort();
    await expectEventually(() => expect([...new Set([...first.handled(), ...second.handled()].map((e) => e.value as string))].sort()).toEqual(expected), {
      timeoutMs: 60_000,
    });
    // Everything the killed member held after the kill was consumed by the survivor.
    const afterKill = new Set(first.handled().map((e) => e.value));
    for (let i = 200; i < 400; i += 1) expect(afterKill.has(`v${i}`)).toBe(true);
  });
});
