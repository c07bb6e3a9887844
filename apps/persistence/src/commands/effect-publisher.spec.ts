import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { DeliveryPublisher, PresenceView, ViewsService } from '@chat/delivery';
import { connectInView, RecordingDeliveryPublisher } from '@chat/delivery/testing';
import { KafkaProducer, TransientError, type OutgoingRecord } from '@chat/kafka';
import { AnnounceCommand, OpenDirectCommand, SendMessageCommand, Topics, directConversationId } from '@chat/protocol';
import { EffectPublisher } from './effect-publisher';
import { announcementPublished, answer, membershipChanged, messageStored } from '../outcomes/effects';

const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
const replyTo = { gatewayId: 'gw-1', connectionId: randomUUID(), requestId: 'req-1' };

/** Keeps what would be produced to other topics. */
class RecordingProducer implements Pick<KafkaProducer, 'send'> {
  readonly sent: Array<{ topic: string; records: OutgoingRecord[] }> = [];
  async send(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.sent.push({ topic, records });
  }
}

/** The views' freshness as a test sets it: current unless `stale` says why not. */
class FakeViews implements Pick<ViewsService, 'current'> {
  stale: Error | null = null;
  async current(): Promise<void> {
    if (this.stale) throw this.stale;
  }
}

describe('EffectPublisher', () => {
  let publisher: EffectPublisher;
  let deliveries: RecordingDeliveryPublisher;
  let producer: RecordingProducer;
  let views: FakeViews;

  beforeEach(async () => {
    const presence = new PresenceView();
    // alice on gw-1 and gw-2 (two devices), bob on gw-2, carol offline.
    connectInView(presence, 'gw-1', alice, 0);
    connectInView(presence, 'gw-2', alice, 1);
    connectInView(presence, 'gw-2', bob, 2);
    deliveries = new RecordingDeliveryPublisher();
    producer = new RecordingProducer();
    views = new FakeViews();
    const moduleRef = await Test.createTestingModule({
      providers: [EffectPublisher, { provide: PresenceView, useValue: presence }, { provide: DeliveryPublisher, useValue: deliveries }, { provide: KafkaProducer, useValue: producer }, { provide: ViewsService, useValue: views }],
    }).compile();
    publisher = moduleRef.get(EffectPublisher);
  });

  it('delivers a stored message straight to each gateway holding a recipient, one record per gateway with only its users', async () => {
    const conversationId = randomUUID();
    const send = SendMessageCommand.create({ senderId: alice, conversationId, clientMsgId: 'm1', body: 'hi', kind: 'text', replyTo });
    const message = { conversationId, seq: 1, messageId: randomUUID(), senderId: alice, clientMsgId: 'm1', body: 'hi', kind: 'text' as const, sentAt: 1, storedAt: 2 };
    await publisher.publish([messageStored(send, message, [alice, bob, carol], true)]);

    const byGateway = Object.fromEntries(deliveries.published.map(({ gatewayId, payload }) => [gatewayId, 'userIds' in payload.target ? [...payload.target.userIds].sort() : []]));
    expect(byGateway).toEqual({ 'gw-1': [alice], 'gw-2': [alice, bob].sort() });
    for (const { payload, context } of deliveries.published) {
      expect(payload.frames).toEqual([{ type: 'message', ...message }]);
      expect(context).toEqual({ traceId: send.traceId, occurredAt: send.occurredAt });
    }
    expect(producer.sent).toEqual([]);
  });

  it('sends an answer to the one socket that asked, and membership changes to chat.memberships', async () => {
    const open = OpenDirectCommand.create({ userId: alice, peerId: bob, replyTo });
    const conversationId = directConversationId(alice, bob);
    await publisher.publish([
      answer(open, { type: 'pong', replyTo: 'req-1' }),
      membershipChanged(open, { conversationId, kind: 'direct', memberIds: [alice, bob], added: [alice, bob], removed: [], by: alice }),
    ]);
    expect(deliveries.published.map(({ gatewayId, payload }) => [gatewayId, payload.target])).toEqual([['gw-1', { connectionId: replyTo.connectionId }]]);
    expect(producer.sent.map(({ topic, records }) => [topic, records.map((record) => record.key)])).toEqual([[Topics.memberships.name, [conversationId]]]);
  });

  it('sends announcements to chat.announcements keyed by their id, for the router to broadcast', async () => {
    const announce = AnnounceCommand.create({ senderId: alice, body: 'Maintenance', expiresInSeconds: 600, replyTo });
    const announcement = { announcementId: randomUUID(), senderId: alice, body: 'Maintenance', sentAt: 1, expiresAt: 600_001 };
    await publisher.publish([announcementPublished(announce, announcement), answer(announce, { type: 'announcement', replyTo: 'req-1', ...announcement })]);
    expect(producer.sent.map(({ topic, records }) => [topic, records.map((record) => record.key)])).toEqual([[Topics.announcements.name, [announcement.announcementId]]]);
    expect(deliveries.published.map(({ gatewayId, payload }) => [gatewayId, payload.target])).toEqual([['gw-1', { connectionId: replyTo.connectionId }]]);
  });

  it('fails transiently when Kafka does, so the batch is retried rather than dead-lettered', async () => {
    deliveries.failure = new Error('broker unavailable');
    const open = OpenDirectCommand.create({ userId: alice, peerId: bob, replyTo });
    await expect(publisher.publish([answer(open, { type: 'pong', replyTo: 'req-1' })])).rejects.toBeInstanceOf(TransientError);
  });

  it('delivers nothing against a view that stopped following its topics: the batch is retried', async () => {
    views.stale = new Error('views not following their topics');
    const open = OpenDirectCommand.create({ userId: alice, peerId: bob, replyTo });
    await expect(publisher.publish([answer(open, { type: 'pong', replyTo: 'req-1' })])).rejects.toBeInstanceOf(TransientError);
    expect(deliveries.published).toEqual([]);
  });
});
