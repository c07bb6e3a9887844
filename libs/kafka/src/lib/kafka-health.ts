import { Injectable } from '@nestjs/common';
import { KafkaClient } from './kafka-client';
import { KafkaConsumerFactory } from './kafka-consumer.factory';

export interface KafkaReadiness {
  ready: boolean;
  broker: { ok: boolean; error?: string };
  consumers: { groupId: string; joined: boolean; lastError?: string }[];
}

/** Ready when the broker answers and every consumer of this service is in its group. */
@Injectable()
export class KafkaHealth {
  constructor(
    private readonly client: KafkaClient,
    private readonly consumers: KafkaConsumerFactory,
  ) {}

  async readiness(): Promise<KafkaReadiness> {
    const broker = await this.client.isReachable();
    const consumers = this.consumers.statuses().map(({ groupId, joined, lastError }) => ({ groupId, joined, lastError }));
    return { ready: broker.ok && consumers.every((c) => c.joined), broker, consumers };
  }
}
