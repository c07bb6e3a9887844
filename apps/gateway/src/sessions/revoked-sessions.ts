import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SessionRevoked, type SessionRevokedPayload, Topics } from '@chat/protocol';
import { fetchTopicEndsPatiently, KafkaClient, KafkaConsumerFactory, ViewProgress, type ConsumedRecord, type PartitionEnd } from '@chat/kafka';
import { describeError } from '@chat/helpers';
import { ReadinessRegistry, SERVICE_IDENTITY, type CheckResult, type ServiceIdentity } from '@chat/service-kit';

export interface Revocation {
  sessionId: string;
  userId: string;
  reason: SessionRevokedPayload['reason'];
}

/** How often revocations whose tokens have all expired are forgotten. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * The login sessions auth has ended, read from `chat.sessions` from the beginning on every start
 * (a group unique to this run that never commits). Until it holds every revocation the topic held at
 * start, the gateway admits no socket, so a logged-out device cannot slip in after a restart. Each
 * new revocation is handed to the listeners (the socket edge closes that session's sockets); one is
 * forgotten once every access token of its session has expired.
 */
@Injectable()
export class RevokedSessions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RevokedSessions.name);
  /** Session id → when its last access token expires. */
  private readonly revoked = new Map<string, number>();
  private readonly progress = new ViewProgress();
  private readonly listeners: ((revocation: Revocation) => void)[] = [];
  private startEnds: PartitionEnd[] | null = null;
  private loadedValue = false;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: KafkaClient,
    private readonly consumers: KafkaConsumerFactory,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    readiness: ReadinessRegistry,
  ) {
    readiness.register('revoked-sessions', async () => this.readiness());
  }

  /** Whether every revocation made before this process started is known. */
  get loaded(): boolean {
    return this.loadedValue;
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Called with each revocation read after the initial load (older ones have no live sockets here). */
  onRevoked(listener: (revocation: Revocation) => void): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    void this.start().catch((error: unknown) => {
      if (!this.client.abortSignal.aborted) this.logger.error({ msg: 'revoked sessions did not load', error: describeError(error) });
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  private async start(): Promise<void> {
    await this.client.connected();
    const ends = await this.fetchStartEnds();
    if (!ends) return;
    this.startEnds = ends;
    const replay = this.consumers.create({
      groupId: `gateway.sessions.${this.identity.instanceId}.${this.identity.startedAt}`,
      topics: [Topics.sessions.name],
      fromBeginning: true,
      commitOffsets: false,
      handleBatch: async (records) => this.apply(records, Date.now()),
    });
    void replay.start();
    await this.progress.waitFor(ends, { signal: this.client.abortSignal });
    this.loadedValue = true;
    this.logger.log({ msg: 'revoked sessions loaded', sessions: this.revoked.size });
    this.pruneTimer = setInterval(() => this.prune(Date.now()), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  private fetchStartEnds(): Promise<PartitionEnd[] | null> {
    return fetchTopicEndsPatiently(this.client.admin, [Topics.sessions.name], this.client.abortSignal, (retryInMs, error) =>
      this.logger.warn({ msg: 'could not fetch the end of the sessions topic, retrying', retryInMs, error: describeError(error) }),
    );
  }


  /** Applies revocations in order; public for the specs, which feed records without a broker. */
  apply(records: ConsumedRecord[], now: number): void {
    for (const record of records) {
      // A recreated consumer reads from the start again; what was applied stays applied.
      if (!this.progress.advance(record.topic, record.partition, record.offset)) continue;
      let revocation: SessionRevokedPayload;
      try {
        revocation = SessionRevoked.decode(record.value).payload;
      } catch (error) {
        // Never dead-letter from a per-run view: every gateway replays on every start.
        this.logger.warn({ msg: 'skipped an unreadable session revocation', partition: record.partition, offset: record.offset, error: describeError(error) });
        continue;
      }
      if (revocation.tokensExpireBy <= now) continue;
      this.revoked.set(revocation.sessionId, revocation.tokensExpireBy);
      if (this.loadedValue) this.tell({ sessionId: revocation.sessionId, userId: revocation.userId, reason: revocation.reason });
    }
    this.progress.notify();
  }

  private tell(revocation: Revocation): void {
    for (const listener of this.listeners) {
      try {
        listener(revocation);
      } catch (error) {
        this.logger.error({ msg: 'revocation listener failed', error: describeError(error) });
      }
    }
  }

  private prune(now: number): void {
    for (const [sessionId, tokensExpireBy] of this.revoked) if (tokensExpireBy <= now) this.revoked.delete(sessionId);
  }

  private async readiness(): Promise<CheckResult> {
    if (this.loadedValue) return { ok: true };
    if (!this.startEnds) return { ok: false, reason: 'waiting for Kafka to read the end of the sessions topic' };
    return { ok: false, reason: 'loading revoked sessions', lagging: this.progress.lagging(this.startEnds) };
  }
}
