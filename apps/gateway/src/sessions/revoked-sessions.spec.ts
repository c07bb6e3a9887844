import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { SessionRevoked, Topics, type Envelope } from '@chat/protocol';
import { KafkaClient, KafkaConsumerFactory, type ConsumedRecord, type ConsumerOptions } from '@chat/kafka';
import { consumedRecord } from '@chat/kafka/testing';
import { ReadinessRegistry, SERVICE_IDENTITY } from '@chat/service-kit';
import { expectEventually } from '@chat/testing';
import { RevokedSessions, type Revocation } from './revoked-sessions';

const alice = randomUUID();

function revoked(sessionId: string, tokensExpireBy: number): Envelope {
  return SessionRevoked.create({ sessionId, userId: alice, reason: 'logout', revokedAt: tokensExpireBy - 900_000, tokensExpireBy });
}

describe('RevokedSessions', () => {
  let sessions: RevokedSessions;
  let readiness: ReadinessRegistry;
  let handleBatch: ((records: ConsumedRecord[]) => Promise<void>) | undefined;
  let created: ConsumerOptions | undefined;
  /** The end of the topic's one partition when the gateway starts. */
  let high: string;

  beforeEach(async () => {
    handleBatch = undefined;
    const abort = new AbortController();
    const client: Pick<KafkaClient, 'connected' | 'admin' | 'abortSignal'> = {
      connected: async () => undefined,
      admin: { fetchTopicOffsets: async () => [{ partition: 0, offset: high, high, low: '0' }] } as unknown as KafkaClient['admin'],
      abortSignal: abort.signal,
    };
    const consumers: Pick<KafkaConsumerFactory, 'create'> = {
      create: (options) => {
        created = options;
        handleBatch = options.handleBatch;
        return { start: async () => undefined } as unknown as ReturnType<KafkaConsumerFactory['create']>;
      },
    };
    const moduleRef = await Test.createTestingModule({
      providers: [
        RevokedSessions,
        ReadinessRegistry,
        { provide: KafkaClient, useValue: client },
        { provide: KafkaConsumerFactory, useValue: consumers },
        { provide: SERVICE_IDENTITY, useValue: { service: 'gateway', instanceId: 'gw-1', startedAt: 42 } },
      ],
    }).compile();
    sessions = moduleRef.get(RevokedSessions);
    readiness = moduleRef.get(ReadinessRegistry);
  });

  it('is not ready, and tells nobody, until it holds every revocation made before it started', async () => {
    const now = Date.now();
    const [old, expired, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    const history = [consumedRecord(Topics.sessions.name, old, revoked(old, now + 60_000)), consumedRecord(Topics.sessions.name, expired, revoked(expired, now - 1))];
    high = String(Number(history[1].offset) + 1);
    const told: Revocation[] = [];
    sessions.onRevoked((revocation) => told.push(revocation));

    sessions.onApplicationBootstrap();
    await expectEventually(() => expect(handleBatch).toBeDefined());
    expect(created).toMatchObject({ groupId: 'gateway.sessions.gw-1.42', topics: [Topics.sessions.name], fromBeginning: true, commitOffsets: false });
    expect(sessions.loaded).toBe(false);
    expect((await readiness.evaluate()).ready).toBe(false);

    await handleBatch?.(history);
    await expectEventually(() => expect(sessions.loaded).toBe(true));
    expect((await readiness.evaluate()).ready).toBe(true);
    // Loaded history is refused at the handshake but closes nothing; an expired one is not kept.
    expect(sessions.isRevoked(old)).toBe(true);
    expect(sessions.isRevoked(expired)).toBe(false);
    expect(told).toEqual([]);

    await handleBatch?.([consumedRecord(Topics.sessions.name, fresh, revoked(fresh, now + 60_000))]);
    expect(sessions.isRevoked(fresh)).toBe(true);
    expect(told).toEqual([{ sessionId: fresh, userId: alice, reason: 'logout' }]);
  });

  it('skips an unreadable record and a replayed one', async () => {
    high = '0';
    sessions.onApplicationBootstrap();
    await expectEventually(() => expect(sessions.loaded).toBe(true));
    const told: Revocation[] = [];
    sessions.onRevoked((revocation) => told.push(revocation));
    const session = randomUUID();
    const garbage = { ...consumedRecord(Topics.sessions.name, 'x', null), value: Buffer.from('{"nope":1}') };
    const record = consumedRecord(Topics.sessions.name, session, revoked(session, Date.now() + 60_000));
    await handleBatch?.([garbage, record]);
    expect(sessions.isRevoked(session)).toBe(true);
    // A recreated replay consumer reads from the start again: nothing is told twice.
    await handleBatch?.([record]);
    expect(told).toEqual([{ sessionId: session, userId: alice, reason: 'logout' }]);
  });
});
