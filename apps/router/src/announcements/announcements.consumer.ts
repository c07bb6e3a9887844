import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AnnouncementPublished, Topics, type ServerFrameOf } from '@chat/protocol';
import { KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { DeliveryPublisher, PresenceView, toEveryone, ViewsService } from '@chat/delivery';
import { ConsumerGroups } from '../consumer-groups';

/**
 * Announcements published longer ago than this are history, not news: users get the current ones
 * when they connect. It keeps a first deployment (or a group whose offsets expired), which reads the
 * compacted topic from the start, from pushing every current announcement again.
 */
export const ANNOUNCEMENT_NEWS_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * The broadcast of the router: each new announcement goes to every live gateway (from the lease
 * view), one `chat.frames-routed` per gateway addressed to `everyone`, and the gateway writes it to
 * all its sockets. News comes from this shared group (one instance per partition, committed after
 * delivery); the views replay the topic on every start for the current ones, which is state, not
 * news. Tombstones (expired announcements) and expired ones push nothing.
 */
@Controller()
export class AnnouncementsConsumer {
  private readonly logger = new Logger(AnnouncementsConsumer.name);

  constructor(
    private readonly presence: PresenceView,
    private readonly publisher: DeliveryPublisher,
  ) {}

  @KafkaEventPattern(Topics.announcements.name, { groupId: ConsumerGroups.announcements, startAfter: ViewsService })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    const now = Date.now();
    const published = records.filter((record) => record.value !== null).map((record) => AnnouncementPublished.decode(record.value));
    const news = published.filter((record) => now - record.producedAt <= ANNOUNCEMENT_NEWS_MAX_AGE_MS && record.payload.announcement.expiresAt > now);
    if (news.length === 0) return;
    const gatewayIds = this.presence.liveGatewayIds(now);
    const deliveries = news.flatMap(({ payload, traceId, occurredAt }) => {
      const frame: ServerFrameOf<'announcement'> = { type: 'announcement', ...payload.announcement };
      return toEveryone(frame, gatewayIds, { traceId, occurredAt });
    });
    await this.publisher.publish(deliveries);
    this.logger.log({ msg: 'announcements broadcast', announcements: news.map(({ payload }) => payload.announcement.announcementId), gateways: gatewayIds.length });
  }
}
