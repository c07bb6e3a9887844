import type { Delivery, DeliveryPublisher } from '../src';

/** Stands in for DeliveryPublisher in unit tests: keeps the deliveries that would have been produced. */
export class RecordingDeliveryPublisher implements Pick<DeliveryPublisher, 'publish'> {
  readonly published: Delivery[] = [];
  /** When set, publish fails with it (Kafka away) and keeps nothing. */
  failure: Error | null = null;

  async publish(deliveries: readonly Delivery[]): Promise<void> {
    if (this.failure) throw this.failure;
    this.published.push(...deliveries);
  }

  /** What each gateway would receive, as [gatewayId, frame types, target]. */
  summary(): Array<[string, string, string[] | string]> {
    return this.published.map(({ gatewayId, payload }) => [
      gatewayId,
      payload.frames.map((frame) => frame.type).join(','),
      'userIds' in payload.target ? [...payload.target.userIds].sort() : 'connectionId' in payload.target ? payload.target.connectionId : 'everyone',
    ]);
  }
}
