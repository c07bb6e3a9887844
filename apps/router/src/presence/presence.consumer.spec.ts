import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { type OpenedSession, PresenceChanged, presenceKey, Topics } from '@chat/protocol';
import { KafkaConsumerFactory, KafkaTransport, TransientError, type ConsumedRecord, type ConsumerOptions, type ConsumerStatus } from '@chat/kafka';
import { AnnouncementsView, decodePresenceRecord, DeliveryPublisher, type FlipListener, MembershipView, PresenceView, type UserFlip, ViewsService } from '@chat/delivery';
import { RecordingDeliveryPublisher } from '@chat/delivery/testing';
import { consumedRecord } from '@chat/kafka/testing';
import { PresenceAnnouncer } from './presence-announcer';
import { PresenceConsumer } from './presence.consumer';
import { SessionGreeter } from './session-greeter';

const [alice, bob, carol, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const STARTED = 1;

/** The parts of ViewsService the consumer uses, with the view already holding what it is asked about. */
class FakeViews implements Pick<ViewsService, 'ready' | 'catchUpNow' | 'onLeaseFlips'> {
  listener: FlipListener | null = null;
  behind = false;

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async catchUpNow(): Promise<void> {
    if (this.behind) throw new Error('wait timed out');
  }

  onLeaseFlips(listener: FlipListener): void {
    this.listener = listener;
  }
}

describe('PresenceConsumer', () => {
  let consumer: PresenceConsumer;
  let publisher: RecordingDeliveryPublisher;
  let presence: PresenceView;
  let views: FakeViews;
  let created: ConsumerOptions | null;
  let announcements: AnnouncementsView;

  beforeEach(async () => {
    publisher = new RecordingDeliveryPublisher();
    presence = new PresenceView();
    views = new FakeViews();
    created = null;
    announcements = new AnnouncementsView();
    const memberships = new MembershipView();
    memberships.apply(randomUUID(), { kind: 'direct', memberIds: [alice, bob] });
    memberships.apply(randomUUID(), { kind: 'group', title: 'T', memberIds: [alice, carol] });
    const now = Date.now();
    for (const gatewayId of ['gw-1', 'gw-2', 'gw-3']) presence.applyLease(gatewayId, { startedAt: STARTED, at: now, ttlMs: 60_000 }, now, now);
    const status = (): ConsumerStatus => ({ groupId: 'router.presence', topics: [Topics.presence.name], joined: true, assignment: { [Topics.presence.name]: [0, 2] } });
    const moduleRef = await Test.createTestingModule({
      controllers: [PresenceConsumer],
      providers: [
        PresenceAnnouncer,
        SessionGreeter,
        { provide: PresenceView, useValue: presence },
        { provide: MembershipView, useValue: memberships },
        { provide: AnnouncementsView, useValue: announcements },
        { provide: DeliveryPublisher, useValue: publisher },
        { provide: ViewsService, useValue: views },
        { provide: KafkaConsumerFactory, useValue: { statusOf: (groupId: string) => (groupId === 'router.presence' ? status() : undefined) } },
      ],
    }).compile();
    consumer = moduleRef.get(PresenceConsumer);
    // The consumer its @KafkaEventPattern asks the Kafka transport for.
    const consumers = {
      create: (options: ConsumerOptions) => {
        created = options;
        return { start: async () => undefined };
      },
    } as unknown as KafkaConsumerFactory;
    const transport = new KafkaTransport({ consumers, instanceId: 'router-1', resolve: (token) => moduleRef.get(token), stopping: () => false });
    await moduleRef.createNestMicroservice({ strategy: transport, logger: false }).listen();
  });

  /** Writes a presence record: the view consumer applies it, then the shared group hands it over. */
  function write(gatewayId: string, userId: string, connections: number | null, partition = 0, openedSessions?: OpenedSession[]): ConsumedRecord {
    const at = Date.now();
    const envelope = connections === null ? null : PresenceChanged.create({ gatewayId, userId, connections, at, gatewayStartedAt: STARTED, ...(openedSessions ? { openedSessions } : {}) });
    const record = consumedRecord(Topics.presence.name, presenceKey(gatewayId, userId), envelope, partition);
    const { value } = decodePresenceRecord(record);
    presence.applyPresence(gatewayId, userId, value, { partition, offset: record.offset, timestamp: at }, at);
    return record;
  }

  it('tells connected contacts, per gateway, when a user comes online and when they go offline', async () => {
    await consumer.handleBatch([write('gw-1', bob, 1), write('gw-2', carol, 1)]);
    publisher.published.length = 0;

    await consumer.handleBatch([write('gw-3', alice, 1), write('gw-3', alice, 2)]);
    expect(publisher.summary()).toEqual([
      ['gw-1', 'presence', [bob]],
      ['gw-2', 'presence', [carol]],
    ]);
    expect(publisher.published[0].payload.frames).toMatchObject([{ type: 'presence', userId: alice, online: true }]);

    publisher.published.length = 0;
    await consumer.handleBatch([write('gw-3', alice, 1)]);
    expect(publisher.published).toEqual([]);
    await consumer.handleBatch([write('gw-3', alice, null)]);
    expect(publisher.published.flatMap((d) => d.payload.frames)).toEqual([
      expect.objectContaining({ userId: alice, online: false }),
      expect.objectContaining({ userId: alice, online: false }),
    ]);
  });

  it('announces a user whose two gateways dropped at once offline once, and online again after', async () => {
    await consumer.handleBatch([write('gw-1', bob, 1)]);
    await consumer.handleBatch([write('gw-2', alice, 1, 1), write('gw-3', alice, 1, 4)]);
    publisher.published.length = 0;

    // Both drops are in the view before either is judged (separate batches of two partitions).
    const phone = write('gw-2', alice, null, 1);
    const laptop = write('gw-3', alice, null, 4);
    await consumer.handleBatch([phone]);
    await consumer.handleBatch([laptop]);
    // In one batch too.
    await consumer.handleBatch([phone, laptop]);
    await consumer.handleBatch([write('gw-2', alice, 1, 1)]);
    expect(publisher.published.flatMap((d) => d.payload.frames).map((frame) => (frame.type === 'presence' ? frame.online : null))).toEqual([false, true]);
  });

  it('judges a batch again after its frames failed, and announces then', async () => {
    await consumer.handleBatch([write('gw-1', bob, 1)]);
    publisher.published.length = 0;
    const up = write('gw-3', alice, 1);
    publisher.failure = new TransientError('kafka away');
    await expect(consumer.handleBatch([up])).rejects.toThrow(TransientError);
    publisher.failure = null;
    await consumer.handleBatch([up]);
    expect(publisher.summary()).toEqual([['gw-1', 'presence', [bob]]]);
  });

  it('answers each new socket with its session frame, listing the contacts online, then the current announcements', async () => {
    const now = Date.now();
    const current = { announcementId: randomUUID(), senderId: carol, body: 'maintenance at noon', sentAt: now - 1000, expiresAt: now + 60_000 };
    announcements.apply(current.announcementId, current);
    const expired = { ...current, announcementId: randomUUID(), expiresAt: now - 1 };
    announcements.apply(expired.announcementId, expired);
    await consumer.handleBatch([write('gw-1', bob, 1)]);
    publisher.published.length = 0;
    const limits = { maxFrameBytes: 65_536, framesPerSecond: 20, frameBurst: 40, maxConnectionsPerUser: 20 };
    const [phone, laptop] = [randomUUID(), randomUUID()];
    const sessionId = randomUUID();
    const opened = (connectionId: string): OpenedSession => ({ connectionId, sessionId, heartbeatIntervalMs: 15_000, idleTimeoutMs: 30_000, limits });
    await consumer.handleBatch([write('gw-3', alice, 2, 0, [opened(phone), opened(laptop)])]);

    expect(publisher.summary()).toEqual([
      ['gw-1', 'presence', [bob]],
      ['gw-3', 'session,announcement', phone],
      ['gw-3', 'session,announcement', laptop],
    ]);
    // Carol shares a group with alice but is offline; bob is online. The expired announcement is not sent.
    expect(publisher.published.slice(1).map((delivery) => delivery.payload.frames)).toEqual([
      [{ type: 'session', userId: alice, ...opened(phone), onlineContactIds: [bob] }, { type: 'announcement', ...current }],
      [{ type: 'session', userId: alice, ...opened(laptop), onlineContactIds: [bob] }, { type: 'announcement', ...current }],
    ]);
  });

  it('tells nobody about a user without contacts', async () => {
    await consumer.handleBatch([write('gw-1', bob, 1)]);
    publisher.published.length = 0;
    await consumer.handleBatch([write('gw-2', stranger, 1)]);
    expect(publisher.published).toEqual([]);
  });

  it('retries (TransientError) while its view is behind the topic', async () => {
    views.behind = true;
    await expect(consumer.handleBatch([write('gw-1', bob, 1)])).rejects.toThrow(TransientError);
    expect(publisher.published).toEqual([]);
  });

  it('starts in the shared group, and announces lease changes only for its partitions', async () => {
    consumer.onApplicationBootstrap();
    await new Promise((resolve) => setImmediate(resolve));
    expect(created).toMatchObject({ groupId: 'router.presence', topics: [Topics.presence.name], fromBeginning: true });

    await consumer.handleBatch([write('gw-1', bob, 1)]);
    publisher.published.length = 0;
    const flips: UserFlip[] = [
      { userId: alice, online: false, at: 5, partition: 2 },
      { userId: carol, online: false, at: 5, partition: 1 },
    ];
    views.listener?.(flips);
    await new Promise((resolve) => setImmediate(resolve));
    // Partition 1 belongs to another instance: only alice's change is announced here.
    expect(publisher.summary()).toEqual([['gw-1', 'presence', [bob]]]);
    expect(publisher.published[0].payload.frames).toEqual([{ type: 'presence', userId: alice, online: false, at: 5 }]);
  });
});
