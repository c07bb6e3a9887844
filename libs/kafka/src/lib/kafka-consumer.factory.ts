import { Injectable } from '@nestjs/common';
import { KafkaClient } from './kafka-client';
import { ManagedConsumer, type ConsumerOptions, type ConsumerStatus } from './kafka-consumer';
import { KafkaProducer } from './kafka-producer';

/** Creates the service's consumers and keeps them, for readiness and for shutdown. */
@Injectable()
export class KafkaConsumerFactory {
  private readonly consumers: ManagedConsumer[] = [];

  constructor(
    private readonly client: KafkaClient,
    private readonly producer: KafkaProducer,
  ) {
    // Registered after the producer's step, so it runs before it: consumers stop (all at once, each
    // finishing and committing its batch) while the producer can still send what they produce.
    client.onShutdown(async () => {
      await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    });
  }

  create(options: ConsumerOptions): ManagedConsumer {
    const consumer = new ManagedConsumer(this.client, this.producer, options);
    this.consumers.push(consumer);
    return consumer;
  }

  /** The status of this process's member of `groupId`, if it has one. */
  statusOf(groupId: string): ConsumerStatus | undefined {
    return this.statuses().find((status) => status.groupId === groupId);
  }

  statuses(): ConsumerStatus[] {
    return this.consumers.map((consumer) => consumer.status());
  }
}
