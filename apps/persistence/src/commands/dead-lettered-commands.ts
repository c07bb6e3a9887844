import { Injectable } from '@nestjs/common';
import { ChatCommands, type ChatCommandEnvelope } from '@chat/protocol';
import { CommandRejected } from '../outcomes/command-rejected';
import { DeadLetteredRequests } from '../outcomes/dead-lettered-requests';
import type { Effect } from '../outcomes/effects';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import { EffectPublisher } from './effect-publisher';

/** The code of the `error` frame a sender gets for a command persistence gave up on (docs/protocol.md). */
export const NOT_STORED = 'not_stored';

/**
 * Tells the sender of a command persistence gave up on (DeadLetteredRequests): once the command is in
 * chat.commands.dlq and before its offset is committed, the asking socket gets an `error`
 * `not_stored` matched to its request, routed by the presence view to the sender's gateway
 * (EffectPublisher). So a send the gateway `accepted` is stored or its sender is told: never silence.
 */
@Injectable()
export class DeadLetteredCommands extends DeadLetteredRequests<ChatCommandEnvelope> {
  constructor(private readonly publisher: EffectPublisher) {
    super();
  }

  protected decode(value: Buffer | null): ChatCommandEnvelope {
    return ChatCommands.decode(value);
  }

  protected refusal(command: ChatCommandEnvelope): CommandRejected {
    return new CommandRejected(NOT_STORED, notStoredMessage(command));
  }

  protected publish(answer: Effect): Promise<void> {
    return this.publisher.publish([answer]);
  }

  protected count(command: ChatCommandEnvelope): void {
    PersistenceMetrics.commandsDeadLettered.inc({ type: command.type });
  }
}

/** For the user: what was not done, without the server's internals (those are in the dead letter and the logs). */
export function notStoredMessage(command: ChatCommandEnvelope): string {
  if (command.type === 'chat.command.send-message') {
    return `message ${command.payload.clientMsgId} was not stored: the server could not store it and gave up, so it will not appear in the conversation`;
  }
  return 'request not carried out: the server could not store it and gave up; nothing of it was stored';
}
