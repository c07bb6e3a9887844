import { Injectable, Logger } from '@nestjs/common';
import { ChatCommands, type ChatCommandEnvelope } from '@chat/protocol';
import type { ConsumedRecord, DeadLetterObserver } from '@chat/kafka';
import { describeError } from '@chat/helpers';
import { CommandRejected } from '../outcomes/command-rejected';
import { rejectionAnswer } from '../outcomes/effects';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import { EffectPublisher } from './effect-publisher';

/** The code of the `error` frame a sender gets for a command persistence gave up on (docs/protocol.md). */
export const NOT_STORED = 'not_stored';

/**
 * Tells the sender of a command persistence gave up on. The consumer of chat.commands calls this
 * once the command is in chat.commands.dlq and before its offset becomes committable: the asking
 * socket gets an `error` `not_stored` matched to its request (`replyTo`), through the same answer
 * record as a rejection (`rejectionAnswer`, routed by the presence view to the sender's gateway). So
 * a send the gateway `accepted` is stored or its sender is told: never silence. A publish that fails
 * is a TransientError: the consumer retries it, committing nothing meanwhile.
 *
 * A record that is not a valid command names no sender; the gateway never produces one (only
 * something else writing to chat.commands can), so there is no one to tell: it is logged.
 */
@Injectable()
export class DeadLetteredCommands implements DeadLetterObserver {
  private readonly logger = new Logger(DeadLetteredCommands.name);

  constructor(private readonly publisher: EffectPublisher) {}

  async deadLettered(record: ConsumedRecord, error: unknown): Promise<void> {
    let command: ChatCommandEnvelope;
    try {
      command = ChatCommands.decode(record.value);
    } catch (unreadable) {
      this.logger.warn({ msg: 'dead-lettered record is not a command: no sender to tell', partition: record.partition, offset: record.offset, error: describeError(unreadable) });
      return;
    }
    await this.publisher.publish([rejectionAnswer(command, new CommandRejected(NOT_STORED, notStoredMessage(command)))]);
    PersistenceMetrics.commandsDeadLettered.inc({ type: command.type });
    this.logger.warn({
      msg: 'sender told that its command was not stored',
      type: command.type,
      commandId: command.id,
      requestId: command.payload.replyTo.requestId,
      gatewayId: command.payload.replyTo.gatewayId,
      error: describeError(error),
    });
  }
}

/** For the user: what was not done, without the server's internals (those are in the dead letter and the logs). */
export function notStoredMessage(command: ChatCommandEnvelope): string {
  if (command.type === 'chat.command.send-message') {
    return `message ${command.payload.clientMsgId} was not stored: the server could not store it and gave up, so it will not appear in the conversation`;
  }
  return 'request not carried out: the server could not store it and gave up; nothing of it was stored';
}
