import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Topics } from '@chat/protocol';
import { fetchTopicEnds, fetchTopicEndsPatiently, KafkaClient, KafkaConsumerFactory, ViewProgress, type ConsumedRecord, type ManagedConsumer, type PartitionEnd } from '@chat/kafka';
import { describeError, sleep } from '@chat/helpers';
import { ReadinessRegistry, SERVICE_IDENTITY, type CheckResult, type ServiceIdentity } from '@chat/service-kit';
import { AnnouncementsView } from './announcements-view';
import { MembershipView } from './membership-view';
import { PresenceView, type UserFlip } from './presence-view';
import { decodeAnnouncementRecord, decodeLeaseRecord, decodeMembershipRecord, decodePresenceRecord } from './view-records';

/** Where each of the views comes from: a compacted topic. */
export const VIEW_TOPICS = {
  memberships: Topics.memberships.name,
  presence: Topics.presence.name,
  gateways: Topics.gateways.name,
  announcements: Topics.announcements.name,
} as const;

/** What a process keeps in view, and the name of the group that replays the topics into it. */
export interface ViewsOptions {
  /** The replay's consumer group: unique to one run of one process, never committed. */
  consumerGroup: (instanceId: string, startedAt: number) => string;
  /** Whether to follow `chat.memberships` too; presence and gateway leases are always followed. */
  memberships: boolean;
  /** Whether to follow `chat.announcements` too (the current ones, for sockets that connect). */
  announcements: boolean;
}

export const VIEWS_OPTIONS = Symbol('VIEWS_OPTIONS');

/** How often leases are checked against the clock (and how late an expiry may be noticed). */
const EXPIRY_CHECK_INTERVAL_MS = 1000;
const PRUNE_OPTIONS = { zeroRetentionMs: 10 * 60 * 1000, deadGatewayRetentionMs: 60 * 60 * 1000 };

export type FlipListener = (flips: UserFlip[]) => void;

/**
 * Builds the in-memory views on every start by reading the compacted topics from the beginning,
 * with a consumer group unique to this run that never commits (nothing to resume, nothing left
 * behind), and keeps following them. The router is ready, and the consumers that route start
 * (`ready()`), only once the views hold everything the topics held when this process started.
 */
@Injectable()
export class ViewsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ViewsService.name);
  private startEnds: PartitionEnd[] | null = null;
  private caughtUp = false;
  private readonly caughtUpPromise: Promise<void>;
  private resolveCaughtUp!: () => void;
  private readonly flipListeners: FlipListener[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly topics: string[];
  private replay: ManagedConsumer | undefined;
  /** The replay's join count when the views were last known to be current. */
  private currentAsOfJoin = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly consumers: KafkaConsumerFactory,
    private readonly progress: ViewProgress,
    private readonly memberships: MembershipView,
    private readonly announcements: AnnouncementsView,
    private readonly presence: PresenceView,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(VIEWS_OPTIONS) private readonly options: ViewsOptions,
    readiness: ReadinessRegistry,
  ) {
    this.topics = [
      VIEW_TOPICS.presence,
      VIEW_TOPICS.gateways,
      ...(options.memberships ? [VIEW_TOPICS.memberships] : []),
      ...(options.announcements ? [VIEW_TOPICS.announcements] : []),
    ];
    this.caughtUpPromise = new Promise((resolve) => (this.resolveCaughtUp = resolve));
    readiness.register('views', async () => this.readiness());
  }

  onApplicationBootstrap(): void {
    void this.start().catch((error: unknown) => {
      if (!this.client.abortSignal.aborted) this.logger.error({ msg: 'views did not start', error: describeError(error) });
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Resolves once the views caught up with the topics as they were at start. */
  ready(): Promise<void> {
    return this.caughtUpPromise;
  }

  /**
   * Resolves at once while the views follow their topics live; after their replay consumer left its
   * group (a broker outage: it crashes and rejoins later), only once it is back and has read what the
   * topics hold now. A process that delivers from the views waits for this first, so nothing is
   * delivered against views that stopped moving while the gateways' leases in them ran out (every
   * recipient would look offline, and a device that reconnected and synced meanwhile would miss the
   * message until its next sync). Rejects after `timeoutMs` (the caller retries).
   */
  async current(timeoutMs: number): Promise<void> {
    const replay = this.replay;
    if (!replay) throw new Error('views not started');
    const { joined, joins } = replay.membership;
    if (joined && joins === this.currentAsOfJoin) return;
    const deadline = Date.now() + timeoutMs;
    while (!replay.membership.joined) {
      if (this.client.abortSignal.aborted) throw new Error('service stopping');
      if (Date.now() > deadline) throw new Error(`views not following their topics (replay consumer out of its group) for ${timeoutMs} ms`);
      await sleep(50, this.client.abortSignal);
    }
    const rejoinedAs = replay.membership.joins;
    await this.catchUpNow(this.topics, Math.max(1, deadline - Date.now()));
    this.currentAsOfJoin = rejoinedAs;
  }

  /** Called with users who went online/offline because a gateway's lease began, ended or expired. */
  onLeaseFlips(listener: FlipListener): void {
    this.flipListeners.push(listener);
  }

  /**
   * Waits until the views hold every record the topics hold now. Bounded by `timeoutMs`; rejects
   * when it runs out or the service stops.
   */
  async catchUpNow(topics: string[], timeoutMs: number): Promise<void> {
    const ends = await fetchTopicEnds(this.client.admin, topics);
    await this.progress.waitFor(ends, { signal: this.client.abortSignal, timeoutMs });
  }

  private async start(): Promise<void> {
    await this.client.connected();
    const ends = await this.fetchStartEnds();
    if (!ends) return;
    this.startEnds = ends;
    this.logger.log({ msg: 'loading views', partitions: ends.length, records: ends.reduce((sum, end) => sum + Number(BigInt(end.high) - BigInt(end.low)), 0) });
    const startedLoading = Date.now();
    this.replay = this.consumers.create({
        groupId: this.options.consumerGroup(this.identity.instanceId, this.identity.startedAt),
        topics: this.topics,
        fromBeginning: true,
        commitOffsets: false,
        handleBatch: async (records) => this.apply(records),
      });
    void this.replay.start();
    await this.progress.waitFor(ends, { signal: this.client.abortSignal });
    this.currentAsOfJoin = this.replay.membership.joins;
    this.caughtUp = true;
    this.logger.log({ msg: 'views loaded', tookMs: Date.now() - startedLoading, conversations: this.memberships.size, ...this.presence.stats() });
    this.timer = setInterval(() => this.tick(), EXPIRY_CHECK_INTERVAL_MS);
    this.timer.unref();
    this.resolveCaughtUp();
  }

  private fetchStartEnds(): Promise<PartitionEnd[] | null> {
    return fetchTopicEndsPatiently(this.client.admin, this.topics, this.client.abortSignal, (retryInMs, error) =>
      this.logger.warn({ msg: 'could not fetch the ends of the view topics, retrying', retryInMs, error: describeError(error) }),
    );
  }


  private async apply(records: ConsumedRecord[]): Promise<void> {
    const now = Date.now();
    const flips: UserFlip[] = [];
    for (const record of records) {
      // A recreated consumer reads from the start again; what was applied stays applied.
      if (!this.progress.advance(record.topic, record.partition, record.offset)) continue;
      try {
        flips.push(...this.applyRecord(record, now));
      } catch (error) {
        // Never dead-letter from a view: every instance replays on every start, so each would add
        // a copy. The shared consumers of these topics dead-letter bad records once.
        this.logger.warn({ msg: 'view skipped an unreadable record', topic: record.topic, partition: record.partition, offset: record.offset, error: describeError(error) });
      }
    }
    this.progress.notify();
    this.emit(flips);
  }

  private applyRecord(record: ConsumedRecord, now: number): UserFlip[] {
    switch (record.topic) {
      case Topics.memberships.name: {
        const { conversationId, members } = decodeMembershipRecord(record);
        this.memberships.apply(conversationId, members);
        return [];
      }
      case Topics.presence.name: {
        const { gatewayId, userId, value } = decodePresenceRecord(record);
        this.presence.applyPresence(gatewayId, userId, value, { partition: record.partition, offset: record.offset, timestamp: record.timestamp }, now);
        return [];
      }
      case Topics.announcements.name: {
        const { announcementId, announcement } = decodeAnnouncementRecord(record);
        this.announcements.apply(announcementId, announcement);
        return [];
      }
      case Topics.gateways.name: {
        const { gatewayId, lease } = decodeLeaseRecord(record);
        return this.presence.applyLease(gatewayId, lease, record.timestamp, now);
      }
      default:
        return [];
    }
  }

  private tick(): void {
    const now = Date.now();
    const flips = this.presence.expire(now);
    this.presence.prune(now, PRUNE_OPTIONS);
    this.announcements.prune(now);
    this.emit(flips);
  }

  /** Flips found while loading are history, not news: nobody is told about them. */
  private emit(flips: UserFlip[]): void {
    if (!this.caughtUp || flips.length === 0) return;
    for (const listener of this.flipListeners) {
      try {
        listener(flips);
      } catch (error) {
        this.logger.error({ msg: 'lease flip listener failed', error: describeError(error) });
      }
    }
  }

  private async readiness(): Promise<CheckResult> {
    if (this.caughtUp) return { ok: true };
    if (!this.startEnds) return { ok: false, reason: 'waiting for Kafka to read the ends of the view topics' };
    return { ok: false, reason: 'loading views', lagging: this.progress.lagging(this.startEnds).slice(0, 10) };
  }
}
