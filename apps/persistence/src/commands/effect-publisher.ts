import { Injectable } from '@nestjs/common';
import { describeError, KafkaProducer, TransientError, type OutgoingRecord } from '@chat/kafka';
import type { Effect } from './effects';

/**
 * Publishes a batch's records after its transaction committed. Records of one topic go out in one
 * `send`, in order; all topics are handed to the producer in the same tick, so they leave in one
 * produce request. A failure is transient: the batch is retried and its commands, already recorded
 * as processed, re-publish the same records.
 */
@Injectable()
export class EffectPublisher {
  constructor(private readonly producer: KafkaProducer) {}

  async publish(effects: Effect[]): Promise<void> {
    const byTopic = new Map<string, OutgoingRecord[]>();
    const producedAt = Date.now();
    for (const { topic, key, envelope } of effects) {
      const records = byTopic.get(topic) ?? [];
      records.push({ key, envelope: { ...envelope, producedAt } });
      byTopic.set(topic, records);
    }
    try {
      await Promise.all([...byTopic].map(([topic, records]) => this.producer.send(topic, records)));
    } catch (error) {
      throw new TransientError(`publishing ${effects.length} records failed: ${describeError(error)}`, { cause: error });
    }
  }
}
