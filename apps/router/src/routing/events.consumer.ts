import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { runWithTrace } from '@chat/logging';
import { ChatEvents, Topics } from '@chat/protocol';
import { KafkaClient, KafkaConsumerFactory, type ConsumedRecord } from '@chat/kafka';
import { SERVICE_CONFIG } from '@chat/service-kit';
import type { RouterConfig } from '../config';
import { ConsumerGroups } from '../consumer-groups';
import { DeliveryPublisher, framesOf, ViewsService } from '@chat/delivery';
import { RouterMetrics } from '../telemetry/router.metrics';
import { RouteEventUseCase } from './route-event.use-case';

/**
 * Routes `chat.events` in the group all router instances share, so instances split the partitions.
 * It starts only once the views are loaded: no event is routed against an empty view. A batch is
 * records of one partition; their deliveries are produced in the records' order, and the offsets
 * are committed (by the Kafka lib) only after they are durable.
 */
@Injectable()
export class EventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly client: KafkaClient,
    private readonly consumers: KafkaConsumerFactory,
    private readonly views: ViewsService,
    private readonly route: RouteEventUseCase,
    private readonly publisher: DeliveryPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: RouterConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.views.ready().then(() => {
      if (this.client.abortSignal.aborted) return;
      void this.consumers
        .create({
          groupId: ConsumerGroups.events,
          topics: [Topics.events.name],
          partitionsConsumedConcurrently: this.config.ROUTER_CONCURRENT_PARTITIONS,
          handleBatch: async (records) => this.handleBatch(records),
        })
        .start();
    });
  }

  async handleBatch(records: ConsumedRecord[]): Promise<void> {
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
    for (const { payload } of deliveries) for (const frame of framesOf(payload)) RouterMetrics.deliveries.inc({ type: frame.type });
  }
}
