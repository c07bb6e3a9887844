import { encodeEnvelope, type Envelope } from '@chat/protocol';
import type { ConsumedRecord } from '@chat/kafka';
import type { Delivery, DeliveryPublisher } from '@chat/delivery';

/** Stands in for DeliveryPublisher in unit tests: keeps what would have been produced. */
export class RecordingPublisher implements Pick<DeliveryPublisher, 'publish'> {
  readonly published: Delivery[] = [];
  /** When set, publish fails with it (Kafka away) and keeps nothing. */
  failure: Error | null = null;

  async publish(deliveries: readonly Delivery[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.published.push(...deliveries);
  }

  /** What each gateway would receive, as [gatewayId, frame type, target]. */
  summary(): Array<[string, string, string[] | string]> {
    return this.published.map(({ payload }) => [
      payload.gatewayId,
      payload.frame.type,
      'userIds' in payload.target ? [...payload.target.userIds].sort() : payload.target.connectionId,
    ]);
  }
}

let nextOffset = 0;

/** A record as a consumer hands it over; `envelope: null` is a tombstone. */
export function consumedRecord(topic: string, key: string | null, envelope: Envelope | null, partition = 0): ConsumedRecord {
  return {
    topic,
    partition,
    offset: String(nextOffset++),
    key,
    value: envelope === null ? null : encodeEnvelope(envelope),
    headers: {},
    timestamp: Date.now(),
    traceId: envelope?.traceId,
    rawHeaders: {},
  };
}
