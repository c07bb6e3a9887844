import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ChatQueryEnvelope } from '@chat/protocol';
import { runWithTrace } from '@chat/logging';
import { ListConversationsUseCase } from '../conversations/list-conversations.use-case';
import { classifyDatabaseError } from '../database/database-errors';
import { HistoryUseCase } from '../messages/history.use-case';
import { SyncUseCase } from '../messages/sync.use-case';
import { CommandRejected } from '../outcomes/command-rejected';
import { rejectionAnswer } from '../outcomes/effects';
import { PersistenceMetrics } from '../telemetry/persistence.metrics';
import { QueryAnswersPublisher } from './query-answers.publisher';

/**
 * Answers one read (sync, history, list_conversations), outside any write transaction: each
 * statement sees what has committed by then, and a read holds a pooled connection only while its
 * statements run. Answers are published as they are produced (a sync page by page), so what one read
 * holds in memory is one page. A read changes nothing, so answering it twice (a redelivery) is
 * harmless and nothing is recorded. A rejected read (not a member, a cursor this server never wrote)
 * is answered with an `error` frame; a database outage is a TransientError (the read is retried).
 */
@Injectable()
export class QueryHandler {
  private readonly logger = new Logger(QueryHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sync: SyncUseCase,
    private readonly history: HistoryUseCase,
    private readonly listConversations: ListConversationsUseCase,
    private readonly publisher: QueryAnswersPublisher,
  ) {}

  answer(query: ChatQueryEnvelope): Promise<void> {
    return runWithTrace(query.traceId, async () => {
      const startedAt = Date.now();
      try {
        await this.run(query);
      } catch (error) {
        if (!(error instanceof CommandRejected)) throw classifyDatabaseError(error);
        this.logger.log({ msg: 'query rejected', type: query.type, commandId: query.id, code: error.code, reason: error.message });
        await this.publisher.publish([rejectionAnswer(query, error)]);
      }
      PersistenceMetrics.queries.inc({ type: query.type });
      this.logger.debug({ msg: 'query answered', type: query.type, commandId: query.id, ms: Date.now() - startedAt });
    });
  }

  private async run(query: ChatQueryEnvelope): Promise<void> {
    const manager = this.dataSource.manager;
    switch (query.type) {
      case 'chat.command.sync-request':
        return this.sync.stream(query, manager, (page) => this.publisher.publish(page));
      case 'chat.command.history-request':
        return this.publisher.publish(await this.history.execute(query, manager));
      case 'chat.command.list-conversations-request':
        return this.publisher.publish(await this.listConversations.execute(query, manager));
    }
  }
}
