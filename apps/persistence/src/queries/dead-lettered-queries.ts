import { Injectable } from '@nestjs/common';
import { ChatQueries, type ChatQueryEnvelope } from '@chat/protocol';
import { CommandRejected } from '../outcomes/command-rejected';
import { DeadLetteredRequests } from '../outcomes/dead-lettered-requests';
import type { Effect } from '../outcomes/effects';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import { QueryAnswersPublisher } from './query-answers.publisher';

/**
 * The code of the `error` frame the asker of a read persistence gave up on gets (docs/protocol.md
 * §11): an unexpected server error. A database outage never leads here (it is retried for as long as
 * it lasts); what does is a read that failed in another way on every attempt (e.g. a stored value
 * that cannot be opened). Asking again is safe, a read changes nothing, but may fail the same way.
 */
export const READ_GIVEN_UP = 'internal';

/** The client frame each read comes from, for the message the user reads. */
const REQUEST_NAMES: Record<ChatQueryEnvelope['type'], string> = {
  'chat.command.sync-request': 'sync',
  'chat.command.history-request': 'history',
  'chat.command.list-conversations-request': 'list_conversations',
};

/**
 * Tells the asker of a read persistence gave up on (DeadLetteredRequests): once the read is in
 * chat.queries.dlq and before its offset is committed, the asking socket gets `error` `internal`
 * matched to its request, published to its gateway like every answer to a read
 * (QueryAnswersPublisher), instead of waiting for its own timeout.
 */
@Injectable()
export class DeadLetteredQueries extends DeadLetteredRequests<ChatQueryEnvelope> {
  constructor(private readonly publisher: QueryAnswersPublisher) {
    super();
  }

  protected decode(value: Buffer | null): ChatQueryEnvelope {
    return ChatQueries.decode(value);
  }

  protected refusal(query: ChatQueryEnvelope): CommandRejected {
    return new CommandRejected(READ_GIVEN_UP, readGivenUpMessage(query));
  }

  protected publish(answer: Effect): Promise<void> {
    return this.publisher.publish([answer]);
  }

  protected count(query: ChatQueryEnvelope): void {
    PersistenceMetrics.queriesDeadLettered.inc({ type: query.type });
  }
}

/** For the user: what was not answered, and the id to find it by in the dead letters and logs (not the server's internals). */
export function readGivenUpMessage(query: ChatQueryEnvelope): string {
  return `${REQUEST_NAMES[query.type]} not answered: the server failed on it and gave up (request ${query.id}); asking again is safe but may fail the same way`;
}
