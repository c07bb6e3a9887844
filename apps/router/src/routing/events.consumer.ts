import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { runWithTrace } from '@chat/logging';
import { ChatEvents, Topics } from '@chat/protocol';
import { KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { ConsumerGroups } from '../consumer-groups';
import { DeliveryPublisher, ViewsService } from '@chat/delivery';
import { RouterMetrics } from '../telemetry/router.metrics';
import { RouteEventUseCase } from './route-event.use-case';

/**
 * Routes `chat.events` (and `chat.typing`) in the groups all router instances share, so instances split the partitions.
 * It starts only once the views are loaded: no event is routed against an empty view. A batch is
 * records of one partition; their deliveries are produced in the records' order, and the offsets
 * are committed (by the Kafka lib) only after they are durable. How many partitions it works on at
 * once is ROUTER_CONCURRENT_PARTITIONS (main.ts).
 */
@Controller()
export class EventsConsumer {
  constructor(
    private readonly route: RouteEventUseCase,
    private readonly publisher: DeliveryPublisher,
  ) {}

  @KafkaEventPattern(Topics.events.name, { groupId: ConsumerGroups.events, startAfter: ViewsService })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    await this.routeBatch(records);
  }

  /** `chat.typing`, the gateways' typing events, on a topic of its own (gateways may not write chat.events). */
  @KafkaEventPattern(Topics.typing.name, { groupId: ConsumerGroups.typing, startAfter: ViewsService })
  async handleTypingBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    await this.routeBatch(records);
  }

  private async routeBatch(records: ConsumedRecord[]): Promise<void> {
    const now = Date.now();
    // Decode all first: an unreadable record fails the batch before anything is produced, and the
    // Kafka lib then retries record by record, dead-lettering only that one.
    const events = records.map((record) => ChatEvents.decode(record.value));
    // Each event is routed inside its own trace, so log lines about it carry the edge's trace id.
    const deliveries = events.flatMap((event) => runWithTrace(event.traceId, () => this.route.execute(event, now)));
    await this.publisher.publish(deliveries);
    // Counted once produced (a failed produce is retried before anything counts). A batch consumed
    // again after a crash before its offsets were committed counts again, as its frames go out again.
    RouterMetrics.chat.count('routed', events.filter((event) => event.type === 'chat.message-stored').length);
    for (const { payload } of deliveries) for (const frame of payload.frames) RouterMetrics.deliveries.inc({ type: frame.type });
  }
}
