import { Injectable } from '@nestjs/common';
import { DeliveryPublisher, deliveriesOfStoredFact, PresenceView, ViewsService, type Delivery, type StoredFact } from '@chat/delivery';
import { KafkaProducer, TransientError, type OutgoingRecord } from '@chat/kafka';
import { describeError } from '@chat/helpers';
import { Topics } from '@chat/protocol';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import type { Effect } from '../outcomes/effects';

/** How long a batch waits for the presence view to be current again before it is retried. */
const VIEWS_CURRENT_TIMEOUT_MS = 5000;

/**
 * Publishes a batch's records after its transaction committed. Stored messages, receipts and
 * answers go straight to the delivery topics of the gateways that hold their recipients (from the
 * presence view; one record per gateway, in order), with no hop through the router; membership
 * changes and announcements go to their compacted topics (`chat.memberships`, `chat.announcements`:
 * the router broadcasts announcements to every gateway). Everything is handed to the producer in the same
 * tick, so it leaves in one produce request. Nothing is routed while the view has stopped following
 * its topics (see ViewsService.current). A failure is transient: the batch is retried, and its
 * commands re-publish the same records (sends find their stored message, other state changes are
 * recorded as processed).
 */
@Injectable()
export class EffectPublisher {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly deliveries: DeliveryPublisher,
    private readonly presence: PresenceView,
    private readonly views: ViewsService,
  ) {}

  async publish(effects: Effect[]): Promise<void> {
    try {
      await this.views.current(VIEWS_CURRENT_TIMEOUT_MS);
    } catch (error) {
      throw new TransientError(`not delivering against a stale presence view: ${describeError(error)}`, { cause: error });
    }
    const now = Date.now();
    const locate = (userId: string) => this.presence.gatewaysOf(userId, now);
    const routed: Delivery[] = [];
    const direct = new Map<string, OutgoingRecord[]>();
    let messages = 0;
    for (const { topic, key, envelope } of effects) {
      if (topic !== Topics.events.name) {
        const records = direct.get(topic) ?? [];
        records.push({ key, envelope: { ...envelope, producedAt: now } });
        direct.set(topic, records);
        continue;
      }
      // Effects for chat.events are built only from the ChatEvents record types persistence stores (effects.ts).
      const fact = envelope as StoredFact;
      if (fact.type === 'chat.message-stored') messages += 1;
      routed.push(...deliveriesOfStoredFact(fact, locate));
    }
    try {
      await Promise.all([this.deliveries.publish(routed), ...[...direct].map(([topic, records]) => this.producer.send(topic, records))]);
    } catch (error) {
      throw error instanceof TransientError ? error : new TransientError(`publishing ${effects.length} records failed: ${describeError(error)}`, { cause: error });
    }
    // Counted once produced; a batch published again after a failure counts again, as its frames go out again.
    PersistenceMetrics.chat.count('routed', messages);
    for (const { payload } of routed) for (const frame of payload.frames) PersistenceMetrics.deliveries.inc({ type: frame.type });
  }
}
