import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { deliveryTopicFor, GatewayDeliveries } from '@chat/protocol';
import { KafkaConsumerFactory, type ConsumedRecord } from '@chat/kafka';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { DeliveryState } from '../connections/delivery-state';
import { DeliverAnswers } from './deliver-answers.use-case';
import { DeliverFrame } from './deliver-frame.use-case';

/**
 * Consumes this gateway's own `chat.delivery.<gatewayId>` and nothing else. Frames are only useful
 * live, so a new group starts at the end; a restarted gateway resumes where it committed, and frames
 * for sockets of its previous run find no socket and are dropped.
 */
@Injectable()
export class DeliveryConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private statePoll: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly deliverFrame: DeliverFrame,
    private readonly deliverAnswers: DeliverAnswers,
    private readonly state: DeliveryState,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  onApplicationBootstrap(): void {
    const gatewayId = this.identity.instanceId;
    const consumer = this.consumers.create({
      groupId: `gateway.${gatewayId}`,
      topics: [deliveryTopicFor(gatewayId).name],
      fromBeginning: false,
      handleBatch: async (records) => this.handleBatch(records),
    });
    void consumer.start();
    this.statePoll = setInterval(() => this.state.update(consumer.status().joined), 200);
    this.statePoll.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.statePoll);
  }

  /**
   * A batch of one partition, in order. All records are decoded before any frame is written: an
   * undecodable record (or a type this gateway does not know) is a ProtocolError that fails the batch
   * with nothing written, and the consumer then retries record by record, dead-lettering only that one.
   */
  private async handleBatch(records: ConsumedRecord[]): Promise<void> {
    const deliveries = records.map((record) => GatewayDeliveries.decode(record.value));
    for (const delivery of deliveries) {
      switch (delivery.type) {
        case 'chat.frame-routed':
          this.deliverFrame.execute(delivery.payload);
          break;
        case 'chat.answers-routed':
          this.deliverAnswers.execute(delivery.payload);
          break;
      }
    }
  }
}
