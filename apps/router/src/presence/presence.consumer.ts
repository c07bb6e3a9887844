import { Controller, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Topics, type EnvelopeContext } from '@chat/protocol';
import { KafkaConsumerFactory, KafkaEventPattern, TransientError, type ConsumedRecord } from '@chat/kafka';
import { describeError } from '@chat/helpers';
import { ConsumerGroups } from '../consumer-groups';
import { decodePresenceRecord, type Delivery, DeliveryPublisher, PresenceView, type UserFlip, ViewsService } from '@chat/delivery';
import { PresenceAnnouncer } from './presence-announcer';
import { presenceTransition, type PresenceAnnouncement } from './presence-transition';
import { SessionGreeter } from './session-greeter';

/** How long a decision waits for this process's views to hold what the topics hold. */
const CATCH_UP_TIMEOUT_MS = 10_000;

/**
 * Tells contacts when a user comes online or goes offline, once (twice at most in the races
 * described below and in presence-transition.ts).
 *
 * Every instance holds the full presence view, so every instance could notice every transition;
 * if all announced, contacts would get one frame per instance. Instead each transition is announced
 * by one instance, chosen by Kafka:
 * - A transition caused by a `chat.presence` record is announced by the instance that owns the
 *   record's partition in the shared group `router.presence`. It first waits until its own view
 *   holds everything `chat.presence` and `chat.gateways` hold at that moment (the record included),
 *   then decides with `presenceTransition`. The group commits after the frames are durable, so a
 *   crash or rebalance hands the undecided records to the next owner: no transition is lost when
 *   routers restart or scale.
 * - A transition caused by a gateway's lease (expired, tombstoned, replaced by a restart, or first
 *   seen after the gateway's presence) has no presence record. Each instance notices it in its own
 *   view; for each user concerned, it is announced by the instance currently owning the partition of
 *   that user's key on that gateway in the same group. A rebalance at that very moment may announce
 *   it twice or not at all, and a lease change while no router runs is loaded as history by the next
 *   start, not announced: rare, and the user's next change corrects it.
 * An instance remembers, per user, what it last announced and about which state (PresenceView
 * epochs), and does not repeat it: the two last sockets of a user closing at once on two gateways,
 * or a record and a lease change finding the same offline, give one frame when one instance judges
 * both. Only two instances judging such a pair at the same moment can both announce it.
 * The group reads from the earliest record when it has no committed offset (a partition never
 * written to has none): records written while every router was down are judged late rather than
 * skipped. The judgement is against the current state, so even a first deployment reading the
 * compacted topic's history only announces states that hold now.
 */
@Controller()
export class PresenceConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(PresenceConsumer.name);

  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly views: ViewsService,
    private readonly presence: PresenceView,
    private readonly announcer: PresenceAnnouncer,
    private readonly publisher: DeliveryPublisher,
    private readonly greeter: SessionGreeter,
  ) {}

  onApplicationBootstrap(): void {
    void this.views.ready().then(() => this.views.onLeaseFlips((flips) => this.announceLeaseFlips(flips)));
  }

  @KafkaEventPattern(Topics.presence.name, { groupId: ConsumerGroups.presence, fromBeginning: true, startAfter: ViewsService })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    // Unreadable records fail the batch before anything is produced; the Kafka lib then
    // dead-letters just them (once: this group is shared and commits).
    const decoded = records.map((record) => ({ record, ...decodePresenceRecord(record) }));
    try {
      await this.views.catchUpNow([Topics.presence.name, Topics.gateways.name], CATCH_UP_TIMEOUT_MS);
    } catch (error) {
      throw new TransientError(`presence view did not catch up: ${describeError(error)}`, { cause: error });
    }
    const news: News[] = [];
    const greetings: Delivery[] = [];
    for (const item of decoded) {
      const { record, gatewayId, userId } = item;
      const announcement = presenceTransition(this.presence, { gatewayId, userId, offset: record.offset });
      if (announcement) news.push({ ...announcement, epoch: this.presence.epochOf(userId), context: { traceId: record.traceId, occurredAt: announcement.at } });
      greetings.push(...this.greeter.deliveries(item, { traceId: record.traceId, occurredAt: item.value?.at ?? Date.now() }, Date.now()));
    }
    // Contacts hear of the user before the user's new sockets hear they are registered.
    await this.announce(news);
    if (greetings.length > 0) await this.publisher.publish(greetings);
  }

  private announceLeaseFlips(flips: UserFlip[]): void {
    const status = this.consumers.statusOf(ConsumerGroups.presence);
    if (!status?.joined) return;
    const owned = new Set(status.assignment[Topics.presence.name] ?? []);
    const mine = flips.filter((flip) => owned.has(flip.partition));
    if (mine.length === 0) return;
    this.logger.log({ msg: 'presence changed with a gateway lease', online: mine.filter((f) => f.online).length, offline: mine.filter((f) => !f.online).length });
    const news = mine.map((flip) => ({ ...flip, epoch: this.presence.epochOf(flip.userId), context: { occurredAt: flip.at } }));
    this.announce(news).catch((error: unknown) => {
      this.logger.error({ msg: 'presence frames of a lease change were not delivered', users: mine.length, error: describeError(error) });
    });
  }

  /**
   * Produces the frames, skipping what this instance already announced for the same state (two
   * records judged in a row, or a lease change and a record, may both find the user went offline),
   * and remembers what it announced once that is durable, never before: a failed batch is judged again.
   */
  private async announce(news: News[]): Promise<void> {
    const fresh: News[] = [];
    for (const item of news) {
      const repeated = this.presence.wasAnnounced(item.userId, item.online) || fresh.some((f) => f.userId === item.userId && f.online === item.online);
      if (!repeated) fresh.push(item);
    }
    if (fresh.length === 0) return;
    const now = Date.now();
    await this.publisher.publish(fresh.flatMap((item) => this.announcer.deliveries(item, item.context, now)));
    for (const item of fresh) this.presence.markAnnounced(item.userId, item.online, item.epoch);
  }
}

/** An announcement to make, with the epoch of the state it is about and the trace of its cause. */
interface News extends PresenceAnnouncement {
  epoch: number;
  context: EnvelopeContext;
}
