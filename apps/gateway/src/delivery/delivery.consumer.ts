import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DELIVERY_TOPIC_PREFIX, GatewayDeliveries } from '@chat/protocol';
import { INSTANCE_ID_PLACEHOLDER, KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { DELIVERY_GROUP } from '../connections/delivery-state';
import { DeliverFrames } from './deliver-frames.use-case';

/**
 * Consumes this gateway's own `chat.delivery.<gatewayId>` and nothing else. Frames are only useful
 * live, so a new group starts at the end; a restarted gateway resumes where it committed, and frames
 * for sockets of its previous run find no socket and are dropped.
 */
@Controller()
export class DeliveryConsumer {
  constructor(private readonly deliverFrames: DeliverFrames) {}

  /**
   * A batch of one partition, in order. All records are decoded before any frame is written: an
   * undecodable record (or a type this gateway does not know) is a ProtocolError that fails the batch
   * with nothing written, and the consumer then retries record by record, dead-lettering only that one
   * into `chat.deliveries.dlq` (deadLetterTopicOf): the gateway's principal may write no delivery topic.
   */
  @KafkaEventPattern(`${DELIVERY_TOPIC_PREFIX}${INSTANCE_ID_PLACEHOLDER}`, { groupId: DELIVERY_GROUP, fromBeginning: false })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    const deliveries = records.map((record) => GatewayDeliveries.decode(record.value));
    for (const delivery of deliveries) this.deliverFrames.execute(delivery.payload);
  }
}
