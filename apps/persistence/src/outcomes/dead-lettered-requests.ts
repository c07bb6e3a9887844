import { Logger } from '@nestjs/common';
import type { ChatCommandEnvelope } from '@chat/protocol';
import type { ConsumedRecord, DeadLetterObserver } from '@chat/kafka';
import { describeError } from '@chat/helpers';
import type { CommandRejected } from './command-rejected';
import { rejectionAnswer, type Effect } from './effects';

/**
 * Tells the asker of a request persistence gave up on: the one way both of its request consumers
 * (chat.commands: DeadLetteredCommands, chat.queries: DeadLetteredQueries) answer a dead letter. The
 * consumer calls `deadLettered` once the record is in its dead-letter topic and before its offset
 * becomes committable (the `deadLetterObserver` of `@KafkaEventPattern`); the asking socket gets an
 * `error` frame matched to its request (`replyTo`), built like any rejection (`rejectionAnswer`), so
 * a request is answered or its asker is told: never silence until the client's own timeout. A
 * publish that fails is a TransientError: the consumer retries it, committing nothing meanwhile, and
 * counts nothing until it went out.
 *
 * A record that is not one of the topic's requests names no asker; the gateway never produces one
 * (only something else writing to the topic can), so there is no one to tell: it is logged.
 */
export abstract class DeadLetteredRequests<R extends ChatCommandEnvelope> implements DeadLetterObserver {
  private readonly logger = new Logger(this.constructor.name);

  /** The requests of the consumer's topic (e.g. `ChatCommands.decode`); throws for a record that is none of them. */
  protected abstract decode(value: Buffer | null): R;
  /** The `error` the asker gets: a code of docs/protocol.md §11 and, for the user, what was not done (not the server's internals). */
  protected abstract refusal(request: R): CommandRejected;
  /** Publishes the answer to the asking gateway; fails with a TransientError. */
  protected abstract publish(answer: Effect): Promise<void>;
  /** Counts a request whose asker was told. */
  protected abstract count(request: R): void;

  async deadLettered(record: ConsumedRecord, error: unknown): Promise<void> {
    let request: R;
    try {
      request = this.decode(record.value);
    } catch (unreadable) {
      this.logger.warn({ msg: 'dead-lettered record is not a request: no one to tell', topic: record.topic, partition: record.partition, offset: record.offset, error: describeError(unreadable) });
      return;
    }
    const refusal = this.refusal(request);
    await this.publish(rejectionAnswer(request, refusal));
    this.count(request);
    this.logger.warn({
      msg: 'asker told that its request was given up on',
      code: refusal.code,
      type: request.type,
      commandId: request.id,
      requestId: request.payload.replyTo.requestId,
      gatewayId: request.payload.replyTo.gatewayId,
      error: describeError(error),
    });
  }
}
