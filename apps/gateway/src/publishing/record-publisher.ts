import { Injectable } from '@nestjs/common';
import type { Envelope } from '@chat/protocol';
import { KafkaProducer } from '@chat/kafka';

export interface PublishedRecord {
  key: string;
  envelope: Envelope;
}

/**
 * What the gateway writes to Kafka, behind an interface so the WebSocket edge can be tested without a
 * broker. A resolved promise means durable in Kafka; a rejection means it may not be.
 */
export interface RecordPublisher {
  publish(topic: string, records: PublishedRecord[]): Promise<void>;
  /** Null-valued records: on a compacted topic they make compaction forget the keys. */
  tombstone(topic: string, keys: string[]): Promise<void>;
}

export const RECORD_PUBLISHER = Symbol('RECORD_PUBLISHER');

@Injectable()
export class KafkaRecordPublisher implements RecordPublisher {
  constructor(private readonly producer: KafkaProducer) {}

  publish(topic: string, records: PublishedRecord[]): Promise<void> {
    return this.producer.send(topic, records);
  }

  tombstone(topic: string, keys: string[]): Promise<void> {
    return this.producer.sendRaw(
      topic,
      keys.map((key) => ({ key, value: null })),
    );
  }
}
