import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { AnnouncementPublished, Topics, type Announcement } from '@chat/protocol';
import { KafkaClient, KafkaConsumerFactory } from '@chat/kafka';
import { DeliveryPublisher, PresenceView, ViewsService } from '@chat/delivery';
import { RecordingDeliveryPublisher } from '@chat/delivery/testing';
import { consumedRecord } from '@chat/kafka/testing';
import { ANNOUNCEMENT_NEWS_MAX_AGE_MS, AnnouncementsConsumer } from './announcements.consumer';

const admin = randomUUID();
const HOUR_MS = 60 * 60 * 1000;

describe('AnnouncementsConsumer', () => {
  let publisher: RecordingDeliveryPublisher;
  let consumer: AnnouncementsConsumer;
  const now = Date.now();

  beforeEach(async () => {
    publisher = new RecordingDeliveryPublisher();
    const presence = new PresenceView();
    // Two live gateways (one without users: a broadcast still goes there) and one whose lease ran out.
    presence.applyLease('gw-1', { startedAt: 1, at: now, ttlMs: 60_000 }, now, now);
    presence.applyLease('gw-2', { startedAt: 1, at: now, ttlMs: 60_000 }, now, now);
    presence.applyLease('gw-gone', { startedAt: 1, at: now - 120_000, ttlMs: 60_000 }, now - 120_000, now);
    presence.applyPresence('gw-1', randomUUID(), { connections: 1, at: now, gatewayStartedAt: 1 }, { partition: 0, offset: '0', timestamp: now }, now);
    const moduleRef = await Test.createTestingModule({
      providers: [
        AnnouncementsConsumer,
        { provide: PresenceView, useValue: presence },
        { provide: DeliveryPublisher, useValue: publisher },
        { provide: ViewsService, useValue: {} },
        { provide: KafkaClient, useValue: {} },
        { provide: KafkaConsumerFactory, useValue: {} },
      ],
    }).compile();
    consumer = moduleRef.get(AnnouncementsConsumer);
  });

  function published(announcement: Announcement, producedAt = now) {
    return consumedRecord(Topics.announcements.name, announcement.announcementId, { ...AnnouncementPublished.create({ announcement }), producedAt });
  }

  it('broadcasts each new announcement to every socket of every live gateway, one record per gateway', async () => {
    const announcement: Announcement = { announcementId: randomUUID(), senderId: admin, body: 'Maintenance at 22:00', sentAt: now - 50, expiresAt: now + HOUR_MS };
    await consumer.handleBatch([published(announcement)]);

    expect(publisher.summary().sort()).toEqual([
      ['gw-1', 'announcement', 'everyone'],
      ['gw-2', 'announcement', 'everyone'],
    ]);
    expect(publisher.published[0].payload.frames).toEqual([{ type: 'announcement', ...announcement }]);
  });

  it('pushes nothing for tombstones, expired announcements, or ones read long after they were published', async () => {
    const expired: Announcement = { announcementId: randomUUID(), senderId: admin, body: 'over', sentAt: now - 2 * 60_000, expiresAt: now - 60_000 };
    const old: Announcement = { announcementId: randomUUID(), senderId: admin, body: 'old news', sentAt: now - 2 * HOUR_MS, expiresAt: now + HOUR_MS };
    await consumer.handleBatch([
      consumedRecord(Topics.announcements.name, randomUUID(), null),
      published(expired),
      published(old, now - ANNOUNCEMENT_NEWS_MAX_AGE_MS - 1),
    ]);
    expect(publisher.published).toEqual([]);
  });
});
