import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { CommandAnswers, MessageStored, ProtocolError, Topics, TypingChanged } from '@chat/protocol';
import { KafkaClient, KafkaConsumerFactory } from '@chat/kafka';
import { telemetry } from '@chat/telemetry';
import { DeliveryPublisher, MembershipView, PresenceView, ViewsService } from '@chat/delivery';
import { RecordingDeliveryPublisher } from '@chat/delivery/testing';
import { consumedRecord } from '@chat/kafka/testing';
import { RouterConfig } from '../config';
import { EventsConsumer } from './events.consumer';
import { RouteEventUseCase } from './route-event.use-case';

const [alice, bob] = [randomUUID(), randomUUID()];
const conversationId = randomUUID();

describe('EventsConsumer', () => {
  let consumer: EventsConsumer;
  let publisher: RecordingDeliveryPublisher;

  beforeEach(async () => {
    publisher = new RecordingDeliveryPublisher();
    const presence = new PresenceView();
    const memberships = new MembershipView();
    const now = Date.now();
    for (const [gatewayId, userId, offset] of [['gw-1', alice, '0'], ['gw-2', bob, '1']] as const) {
      presence.applyLease(gatewayId, { startedAt: 1, at: now, ttlMs: 60_000 }, now, now);
      presence.applyPresence(gatewayId, userId, { connections: 1, at: now, gatewayStartedAt: 1 }, { partition: 0, offset, timestamp: now }, now);
    }
    memberships.apply(conversationId, { kind: 'direct', memberIds: [alice, bob] });
    const moduleRef = await Test.createTestingModule({
      providers: [
        EventsConsumer,
        RouteEventUseCase,
        { provide: PresenceView, useValue: presence },
        { provide: MembershipView, useValue: memberships },
        { provide: DeliveryPublisher, useValue: publisher },
        // Only handleBatch is exercised; starting the consumer is the Kafka lib's and ViewsService's.
        { provide: ViewsService, useValue: {} },
        { provide: KafkaClient, useValue: {} },
        { provide: KafkaConsumerFactory, useValue: {} },
        { provide: RouterConfig, useValue: RouterConfig.load({ KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3002' }) },
      ],
    }).compile();
    consumer = moduleRef.get(EventsConsumer);
  });

  it('produces the deliveries of a batch in the order of its records', async () => {
    const connectionId = randomUUID();
    const message = { conversationId, seq: 1, messageId: randomUUID(), senderId: alice, clientMsgId: 'c1', body: 'hi', kind: 'text' as const, sentAt: 1, storedAt: 2 };
    await consumer.handleBatch([
      consumedRecord(Topics.events.name, conversationId, TypingChanged.create({ conversationId, userId: alice, active: true })),
      consumedRecord(Topics.events.name, conversationId, MessageStored.create({ message, recipientIds: [alice, bob] })),
      consumedRecord(Topics.events.name, alice, CommandAnswers.create({ replyTo: { gatewayId: 'gw-1', connectionId, requestId: 'r' }, frames: [{ type: 'pong', replyTo: 'r' }] })),
    ]);
    expect(publisher.summary()).toEqual([
      ['gw-2', 'typing', [bob]],
      ['gw-1', 'message', [alice]],
      ['gw-2', 'message', [bob]],
      ['gw-1', 'pong', connectionId],
    ]);
  });

  it('routes typing from chat.typing, where gateways put it, to the other members only', async () => {
    await consumer.handleTypingBatch([consumedRecord(Topics.typing.name, conversationId, TypingChanged.create({ conversationId, userId: bob, active: false }))]);
    expect(publisher.summary()).toEqual([['gw-1', 'typing', [alice]]]);
  });

  it('counts each stored message routed once, whatever the number of gateways (none included), and only once produced', async () => {
    const routed = async () => (await telemetry.snapshotSample()).counters.find((c) => c.name === 'chat_messages_total' && c.labels['stage'] === 'routed')?.value;
    const before = (await routed()) ?? 0;
    const message = (seq: number) => ({ conversationId, seq, messageId: randomUUID(), senderId: alice, clientMsgId: `c${seq}`, body: 'hi', kind: 'text' as const, sentAt: 1, storedAt: 2 });
    const toBoth = consumedRecord(Topics.events.name, conversationId, MessageStored.create({ message: message(1), recipientIds: [alice, bob] }));
    const toNobody = consumedRecord(Topics.events.name, conversationId, MessageStored.create({ message: message(2), recipientIds: [randomUUID()] }));
    const typing = consumedRecord(Topics.events.name, conversationId, TypingChanged.create({ conversationId, userId: alice, active: true }));

    publisher.failure = new Error('kafka away');
    await expect(consumer.handleBatch([toBoth])).rejects.toThrow('kafka away');
    publisher.failure = null;
    await consumer.handleBatch([toBoth, toNobody, typing]);

    expect(await routed()).toBe(before + 2);
  });

  it('fails a batch holding an unreadable record before producing anything', async () => {
    const good = consumedRecord(Topics.events.name, conversationId, TypingChanged.create({ conversationId, userId: alice, active: false }));
    const bad = { ...consumedRecord(Topics.events.name, conversationId, null), value: Buffer.from('{"not":"an envelope"}') };
    await expect(consumer.handleBatch([good, bad])).rejects.toThrow(ProtocolError);
    expect(publisher.published).toEqual([]);
  });
});
