import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { MembershipChanged, Topics } from '@chat/protocol';
import { KafkaClient, KafkaConsumerFactory } from '@chat/kafka';
import { DeliveryPublisher, PresenceView, ViewsService } from '@chat/delivery';
import { RecordingDeliveryPublisher } from '@chat/delivery/testing';
import { consumedRecord } from '@chat/kafka/testing';
import { MEMBERSHIP_NEWS_MAX_AGE_MS, MembershipsConsumer } from './memberships.consumer';

const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];

describe('MembershipsConsumer', () => {
  it('pushes member_added and member_removed to the connected members concerned, ignoring tombstones and old changes', async () => {
    const publisher = new RecordingDeliveryPublisher();
    const presence = new PresenceView();
    const now = Date.now();
    presence.applyLease('gw-1', { startedAt: 1, at: now, ttlMs: 60_000 }, now, now);
    for (const [userId, offset] of [[alice, '0'], [bob, '1'], [carol, '2']] as const) {
      presence.applyPresence('gw-1', userId, { connections: 1, at: now, gatewayStartedAt: 1 }, { partition: 0, offset, timestamp: now }, now);
    }
    const moduleRef = await Test.createTestingModule({
      providers: [
        MembershipsConsumer,
        { provide: PresenceView, useValue: presence },
        { provide: DeliveryPublisher, useValue: publisher },
        { provide: ViewsService, useValue: {} },
        { provide: KafkaClient, useValue: {} },
        { provide: KafkaConsumerFactory, useValue: {} },
      ],
    }).compile();
    const consumer = moduleRef.get(MembershipsConsumer);
    const conversationId = randomUUID();

    await consumer.handleBatch([
      consumedRecord(Topics.memberships.name, conversationId, MembershipChanged.create({ conversationId, kind: 'group', title: 'T', memberIds: [alice, bob], added: [alice, bob], removed: [], by: alice })),
      consumedRecord(Topics.memberships.name, conversationId, MembershipChanged.create({ conversationId, kind: 'group', title: 'T', memberIds: [alice], added: [], removed: [bob], by: alice })),
      consumedRecord(Topics.memberships.name, conversationId, null),
      // Read long after it happened (a first deployment replaying the compacted topic): history.
      consumedRecord(Topics.memberships.name, conversationId, { ...MembershipChanged.create({ conversationId, kind: 'group', title: 'T', memberIds: [alice, carol], added: [carol], removed: [], by: alice }), producedAt: now - MEMBERSHIP_NEWS_MAX_AGE_MS - 1 }),
    ]);

    expect(publisher.summary()).toEqual([
      ['gw-1', 'member_added', [alice, bob].sort()],
      ['gw-1', 'member_removed', [alice, bob].sort()],
    ]);
  });
});
