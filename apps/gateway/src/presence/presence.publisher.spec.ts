import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { generateSigningKey, publicJwks } from '@chat/auth-tokens';
import { presenceKey, Topics } from '@chat/protocol';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { GatewayConfig } from '../config';
import { RECORD_PUBLISHER } from '../publishing/record-publisher';
import { expectEventually } from '@chat/testing';
import { RecordingPublisher } from '../../test/recording-publisher';
import { LeasePublisher } from './lease.publisher';
import { MAX_PRESENCE_RECORDS_PER_SEND, PresencePublisher } from './presence.publisher';

const identity: ServiceIdentity = { service: 'gateway', instanceId: 'gw-presence', startedAt: 1_700_000_000_000 };
const config = GatewayConfig.load({ KAFKA_BROKERS: 'localhost:9092', HTTP_PORT: '3000', JWT_PUBLIC_KEYS: publicJwks([generateSigningKey('k1')]), GATEWAY_LEASE_TTL_MS: '3000' });
const alice = randomUUID();
const bob = randomUUID();

describe('presence and lease publishing', () => {
  let moduleRef: TestingModule;
  let publisher: RecordingPublisher;
  let presence: PresencePublisher;
  let lease: LeasePublisher;

  async function start(failing: boolean): Promise<void> {
    publisher = new RecordingPublisher();
    if (failing) publisher.failure = new Error('broker unavailable');
    moduleRef = await Test.createTestingModule({
      providers: [
        PresencePublisher,
        LeasePublisher,
        { provide: RECORD_PUBLISHER, useValue: publisher },
        { provide: SERVICE_IDENTITY, useValue: identity },
        { provide: GatewayConfig, useValue: config },
      ],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    presence = moduleRef.get(PresencePublisher);
    lease = moduleRef.get(LeasePublisher);
  }

  afterEach(async () => {
    await presence.close(1000);
    await lease.release(1000);
    await moduleRef.close();
    jest.useRealTimers();
  });

  /**
   * Fakes timers and the clock (not microtasks) before the lease starts renewing, so the tests
   * below advance the renewal interval (ttl/3 = 1 s) and Date.now() together, without waiting.
   */
  function fakeTime(): void {
    jest.useFakeTimers({ now: 1_700_000_100_000, doNotFake: ['nextTick', 'queueMicrotask'] });
  }

  it('renews the lease, and publishes no presence before this run has one', async () => {
    fakeTime();
    await start(true);
    presence.record({ userId: alice, connections: 1 }, 10);
    presence.record({ userId: alice, connections: 2 }, 11);
    presence.record({ userId: bob, connections: 1 }, 12);
    presence.record({ userId: bob, connections: 0 }, 13);
    expect(publisher.records).toEqual([]);

    publisher.failure = null;
    // Still nothing until the next renewal (1 s after the failed first one) puts a lease in Kafka.
    await jest.advanceTimersByTimeAsync(999);
    expect(publisher.records).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(publisher.on(Topics.presence.name)).toHaveLength(2);
    const [first, ...rest] = publisher.records;
    expect(first).toMatchObject({ topic: Topics.gateways.name, key: 'gw-presence' });
    expect(first.envelope?.payload).toEqual({ gatewayId: 'gw-presence', startedAt: identity.startedAt, at: expect.any(Number), ttlMs: 3000 });
    // Only the latest state of each user: alice's 2 connections, bob's tombstone.
    expect(rest).toEqual(
      expect.arrayContaining([
        { topic: Topics.presence.name, key: presenceKey('gw-presence', alice), envelope: expect.objectContaining({ type: 'chat.presence-changed' }) },
        { topic: Topics.presence.name, key: presenceKey('gw-presence', bob), envelope: null },
      ]),
    );
    const aliceRecord = rest.find((record) => record.key === presenceKey('gw-presence', alice));
    expect(aliceRecord?.envelope?.payload).toEqual({ gatewayId: 'gw-presence', userId: alice, connections: 2, at: 11, gatewayStartedAt: identity.startedAt });
  });

  it('retries a failed produce with the newest state until Kafka has it', async () => {
    fakeTime();
    await start(false);
    await lease.renewed();
    publisher.failure = new Error('broker unavailable');
    presence.record({ userId: alice, connections: 1 }, 20);
    presence.record({ userId: bob, connections: 1 }, 20);
    // The first produce fails; the retry waits its backoff (100 to 200 ms for the first attempt).
    await jest.advanceTimersByTimeAsync(0);
    expect(publisher.on(Topics.presence.name)).toEqual([]);
    presence.record({ userId: alice, connections: 0 }, 21);
    publisher.failure = null;

    await jest.advanceTimersByTimeAsync(200);
    expect(publisher.on(Topics.presence.name)).toHaveLength(2);
    expect(publisher.on(Topics.presence.name)).toEqual(
      expect.arrayContaining([
        { topic: Topics.presence.name, key: presenceKey('gw-presence', alice), envelope: null },
        expect.objectContaining({ key: presenceKey('gw-presence', bob), envelope: expect.objectContaining({ payload: expect.objectContaining({ connections: 1 }) }) }),
      ]),
    );
  });

  it('carries every socket opened since the last record, across coalescing and a failed produce', async () => {
    fakeTime();
    await start(false);
    await lease.renewed();
    const limits = { maxFrameBytes: 65_536, framesPerSecond: 20, frameBurst: 40, maxConnectionsPerUser: 20 };
    const opened = (connectionId: string) => ({ connectionId, heartbeatIntervalMs: 15_000, idleTimeoutMs: 30_000, limits });
    const [phone, laptop, tablet] = [randomUUID(), randomUUID(), randomUUID()];
    publisher.failure = new Error('broker unavailable');
    presence.record({ userId: alice, connections: 1 }, 50, opened(phone));
    await jest.advanceTimersByTimeAsync(0);
    presence.record({ userId: alice, connections: 2 }, 51, opened(laptop));
    presence.record({ userId: alice, connections: 3 }, 52, opened(tablet));
    publisher.failure = null;
    await jest.advanceTimersByTimeAsync(200);

    const records = publisher.on(Topics.presence.name);
    expect(records).toHaveLength(1);
    expect(records[0].envelope?.payload).toMatchObject({ connections: 3, openedSessions: [opened(phone), opened(laptop), opened(tablet)] });
    // Published once: the next record carries only what opened after it.
    presence.record({ userId: alice, connections: 2 }, 53);
    await jest.advanceTimersByTimeAsync(0);
    expect(publisher.on(Topics.presence.name)[1].envelope?.payload).not.toHaveProperty('openedSessions');
  });

  it('publishes what is pending on close, then ignores later changes; the lease ends with a tombstone', async () => {
    await start(false);
    await lease.renewed();
    presence.record({ userId: alice, connections: 1 }, 30);
    presence.record({ userId: alice, connections: 0 }, 31);
    await presence.close(1000);
    presence.record({ userId: bob, connections: 1 }, 32);
    await lease.release(1000);

    expect(publisher.on(Topics.presence.name)).toEqual([{ topic: Topics.presence.name, key: presenceKey('gw-presence', alice), envelope: null }]);
    expect(publisher.records[publisher.records.length - 1]).toEqual({ topic: Topics.gateways.name, key: 'gw-presence', envelope: null });
  });

  it('publishes a connect wave in sends of bounded size, every user once', async () => {
    await start(false);
    await lease.renewed();
    const users = Array.from({ length: MAX_PRESENCE_RECORDS_PER_SEND * 2 + 500 }, () => randomUUID());
    for (const userId of users) presence.record({ userId, connections: 1 }, 40);
    await expectEventually(() => expect(publisher.on(Topics.presence.name)).toHaveLength(users.length));
    expect(new Set(publisher.on(Topics.presence.name).map((record) => record.key))).toEqual(new Set(users.map((userId) => presenceKey('gw-presence', userId))));
    expect(Math.max(...publisher.sendSizes)).toBeLessThanOrEqual(MAX_PRESENCE_RECORDS_PER_SEND);
  });

  it('tells lapse listeners once when renewals resume after a gap the router may have expired the lease in', async () => {
    fakeTime();
    await start(false);
    await lease.renewed();
    const renewals = () => publisher.on(Topics.gateways.name).length;
    const gaps: number[] = [];
    lease.onLapse((gapMs) => gaps.push(gapMs));
    // Healthy renewals (every ttl/3 = 1 s; the first at 0 s, the next at 1 s) are no lapse.
    await jest.advanceTimersByTimeAsync(1500);
    expect(renewals()).toBe(2);
    expect(gaps).toEqual([]);

    // Kafka away from 1.5 s to 4.7 s: the renewals at 2, 3 and 4 s fail; nobody is told yet.
    publisher.failure = new Error('broker unavailable');
    await jest.advanceTimersByTimeAsync(3200);
    expect(renewals()).toBe(2);
    expect(gaps).toEqual([]);
    publisher.failure = null;
    // The renewal at 5 s goes through: 4 s since the last acknowledged one (1 s) > 5/6 of the 3 s ttl.
    await jest.advanceTimersByTimeAsync(299);
    expect(gaps).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(renewals()).toBe(3);
    expect(gaps).toEqual([4000]);
    // Healthy renewals afterwards (6 s, 7 s …) tell nobody again.
    await jest.advanceTimersByTimeAsync(3000);
    expect(renewals()).toBe(6);
    expect(gaps).toEqual([4000]);
  });
});
