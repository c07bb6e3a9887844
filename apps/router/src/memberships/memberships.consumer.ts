import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MembershipChanged, Topics } from '@chat/protocol';
import { KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { ConsumerGroups } from '../consumer-groups';
import { DeliveryPublisher, fanOut, PresenceView, ViewsService } from '@chat/delivery';
import { membershipNotices } from './membership-frames';

/**
 * Changes older than this are history, not news: a client away that long lists its conversations
 * when it comes back. It keeps a first deployment (or a group whose offsets expired), which reads
 * the compacted topic from the start, from re-announcing every conversation's last change.
 */
export const MEMBERSHIP_NEWS_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * Pushes `member_added` / `member_removed` when `chat.memberships` changes. The views replay that
 * topic in every instance on every start, which is right for state but would repeat the news, so
 * the news comes from this shared group: one instance per partition, committed after delivery.
 * Tombstones only forget a conversation: no frame.
 */
@Controller()
export class MembershipsConsumer {
  private readonly logger = new Logger(MembershipsConsumer.name);

  constructor(
    private readonly presence: PresenceView,
    private readonly publisher: DeliveryPublisher,
  ) {}

  @KafkaEventPattern(Topics.memberships.name, { groupId: ConsumerGroups.memberships, startAfter: ViewsService })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    const now = Date.now();
    const changes = records.filter((record) => record.value !== null).map((record) => MembershipChanged.decode(record.value));
    const news = changes.filter((change) => now - change.producedAt <= MEMBERSHIP_NEWS_MAX_AGE_MS);
    if (news.length < changes.length) this.logger.debug({ msg: 'old membership changes not announced', count: changes.length - news.length });
    const locate = (userId: string) => this.presence.gatewaysOf(userId, now);
    const deliveries = news.flatMap((change) => {
      const context = { traceId: change.traceId, occurredAt: change.occurredAt };
      return membershipNotices(change.payload).flatMap(({ frame, userIds }) => fanOut(frame, userIds, locate, context));
    });
    await this.publisher.publish(deliveries);
  }
}
