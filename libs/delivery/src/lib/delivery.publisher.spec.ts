import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { FramesRouted, type Envelope } from '@chat/protocol';
import { KafkaClient, KafkaProducer, TransientError, type OutgoingRecord } from '@chat/kafka';
import { DeliveryPublisher } from './delivery.publisher';
import type { Delivery } from './fan-out';

/** The admin calls topic provisioning makes, against an in-memory broker. */
class FakeAdmin {
  readonly topics = new Set<string>(['chat.delivery.gw-1']);
  readonly created: string[] = [];
  failing = false;

  async listTopics(): Promise<string[]> {
    if (this.failing) throw new Error('broker away');
    return [...this.topics];
  }

  async createTopics({ topics }: { topics: Array<{ topic: string }> }): Promise<boolean> {
    for (const { topic } of topics) {
      this.topics.add(topic);
      this.created.push(topic);
    }
    return true;
  }

  async fetchTopicMetadata({ topics }: { topics: string[] }) {
    return { topics: topics.map((name) => ({ name, partitions: [{}, {}, {}] })) };
  }
}

class FakeProducer {
  readonly sent: Array<{ topic: string; records: OutgoingRecord[] }> = [];
  failure: Error | null = null;

  async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push({ topic, records });
  }
}

const alice = randomUUID();
const conversationId = randomUUID();
const context = { traceId: 'b'.repeat(32), occurredAt: 42 };

function typing(gatewayId: string, active: boolean): Delivery {
  return { gatewayId, payload: { target: { userIds: [alice] }, frames: [{ type: 'typing', conversationId, userId: alice, active }] }, context };
}

describe('DeliveryPublisher', () => {
  let publisher: DeliveryPublisher;
  let admin: FakeAdmin;
  let producer: FakeProducer;

  beforeEach(async () => {
    admin = new FakeAdmin();
    producer = new FakeProducer();
    const moduleRef = await Test.createTestingModule({
      providers: [
        DeliveryPublisher,
        { provide: KafkaClient, useValue: { admin, options: { replicationFactor: 1 } } },
        { provide: KafkaProducer, useValue: producer },
      ],
    }).compile();
    moduleRef.useLogger(false);
    publisher = moduleRef.get(DeliveryPublisher);
  });

  it('produces to each gateway’s own topic, in order, keyed for order, with the cause’s trace', async () => {
    await publisher.publish([typing('gw-1', true), typing('gw-2', true), typing('gw-1', false)]);

    expect(producer.sent.map(({ topic, records }) => [topic, records.length])).toEqual([
      ['chat.delivery.gw-1', 2],
      ['chat.delivery.gw-2', 1],
    ]);
    const [first, second] = producer.sent[0].records;
    expect(first.key).toBe(conversationId);
    const envelope: Envelope = first.envelope;
    expect(FramesRouted.parse(envelope).payload.frames).toMatchObject([{ active: true }]);
    expect(FramesRouted.parse(second.envelope).payload.frames).toMatchObject([{ active: false }]);
    expect(envelope).toMatchObject({ traceId: context.traceId, occurredAt: 42 });
  });

  it('produces several answers for one socket as one record, keyed by the connection, after what came before', async () => {
    const connectionId = randomUUID();
    const frames = [
      { type: 'pong' as const, replyTo: 'r-1' },
      { type: 'synced' as const, replyTo: 'r-2', conversations: [] },
    ];
    await publisher.publish([typing('gw-1', true), { gatewayId: 'gw-1', payload: { target: { connectionId }, frames }, context }]);
    const [first, answers] = producer.sent[0].records;
    expect(first.key).toBe(conversationId);
    expect(answers.key).toBe(connectionId);
    expect(FramesRouted.parse(answers.envelope).payload.frames).toEqual(frames);
  });

  it('creates a missing delivery topic once, on first use', async () => {
    await publisher.publish([typing('gw-2', true)]);
    await publisher.publish([typing('gw-2', false), typing('gw-1', true)]);
    expect(admin.created).toEqual(['chat.delivery.gw-2']);
  });

  it('reports Kafka failures as transient, and tries provisioning again next time', async () => {
    admin.failing = true;
    await expect(publisher.publish([typing('gw-3', true)])).rejects.toThrow(TransientError);
    admin.failing = false;
    producer.failure = new Error('not acknowledged');
    await expect(publisher.publish([typing('gw-3', true)])).rejects.toThrow(TransientError);
    expect(admin.created).toEqual(['chat.delivery.gw-3']);
    await expect(publisher.publish([])).resolves.toBeUndefined();
  });
});
