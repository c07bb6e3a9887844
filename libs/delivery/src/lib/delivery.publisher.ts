import { Injectable, Logger } from '@nestjs/common';
import { deliveryTopicFor, FramesRouted, framesRoutedKey } from '@chat/protocol';
import { KafkaClient, KafkaProducer, provisionTopics, TransientError, type OutgoingRecord } from '@chat/kafka';
import { describeError } from '@chat/helpers';
import type { Delivery } from './fan-out';

/**
 * Produces deliveries to `chat.delivery.<gatewayId>`. Gateways provision their own topic, but a
 * frame may be routed before that (an answer to a gateway that just started), so the topic is
 * created here on first use, once per gateway per process.
 */
@Injectable()
export class DeliveryPublisher {
  private readonly logger = new Logger(DeliveryPublisher.name);
  private readonly provisioned = new Map<string, Promise<void>>();

  constructor(
    private readonly client: KafkaClient,
    private readonly producer: KafkaProducer,
  ) {}

  /**
   * Resolves once every delivery is durable. Order is kept per topic (one send per topic, records
   * in the given order, and the producer never reorders). Kafka failing is a TransientError: the
   * caller's record is retried, never dead-lettered, and frames produced before are sent again
   * (at-least-once: clients tolerate duplicates).
   */
  async publish(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const { gatewayId, payload, context } of deliveries) {
      const topic = deliveryTopicFor(gatewayId).name;
      let records = byTopic.get(topic);
      if (!records) {
        records = [];
        byTopic.set(topic, records);
      }
      // Built from records this service decoded or stored (and so validated): not checked a second time.
      records.push({ key: framesRoutedKey(payload), envelope: FramesRouted.createValidated(payload, context) });
    }
    await Promise.all([...new Set(deliveries.map(({ gatewayId }) => gatewayId))].map((gatewayId) => this.ensureTopic(gatewayId)));
    try {
      await Promise.all([...byTopic].map(([topic, records]) => this.producer.send(topic, records)));
    } catch (error) {
      throw new TransientError(`producing ${deliveries.length} deliveries failed: ${describeError(error)}`, { cause: error });
    }
  }

  private ensureTopic(gatewayId: string): Promise<void> {
    let provisioned = this.provisioned.get(gatewayId);
    if (!provisioned) {
      const spec = deliveryTopicFor(gatewayId);
      provisioned = provisionTopics(this.client.admin, [spec], this.client.options).then(
        (created) => {
          if (created.length > 0) this.logger.log({ msg: 'created delivery topic', topic: spec.name });
        },
        (error: unknown) => {
          this.provisioned.delete(gatewayId);
          throw new TransientError(`could not provision ${spec.name}: ${describeError(error)}`, { cause: error });
        },
      );
      this.provisioned.set(gatewayId, provisioned);
    }
    return provisioned;
  }
}
