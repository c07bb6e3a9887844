import { Injectable } from '@nestjs/common';
import { deliveriesOfStoredFact, DeliveryPublisher, type StoredFact } from '@chat/delivery';
import { TransientError } from '@chat/kafka';
import { describeError } from '@chat/helpers';
import type { Effect } from '../outcomes/effects';

/** No user is looked up for answers: they go to the gateway named by their `replyTo`. */
const NOBODY = (): readonly string[] => [];

/**
 * Publishes a query's answers (chat.command-answers records, see outcomes/effects.ts) straight to
 * the delivery topic of the gateway that asked. Unlike EffectPublisher it needs no presence view:
 * an answer's address is in the query. A failure is transient: the query is answered again.
 */
@Injectable()
export class QueryAnswersPublisher {
  constructor(private readonly deliveries: DeliveryPublisher) {}

  async publish(answers: readonly Effect[]): Promise<void> {
    // Answers are built only as chat.command-answers envelopes (answer, answers, rejectionAnswer).
    const routed = answers.flatMap(({ envelope }) => deliveriesOfStoredFact(envelope as StoredFact, NOBODY));
    try {
      await this.deliveries.publish(routed);
    } catch (error) {
      throw error instanceof TransientError ? error : new TransientError(`publishing ${answers.length} answer records failed: ${describeError(error)}`, { cause: error });
    }
  }
}
