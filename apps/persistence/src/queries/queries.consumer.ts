import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ChatQueries, Topics } from '@chat/protocol';
import { KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { DEFAULT_QUERY_PARTITIONS_CONCURRENTLY } from '../config';
import { DeadLetteredQueries } from './dead-lettered-queries';
import { QueryHandler } from './query-handler';

export const QUERIES_GROUP_ID = 'persistence.queries';

/**
 * Consumes chat.queries with a group of its own (`persistence.queries`), apart from the commands:
 * however many reads queue up, they never delay a send. At most QUERY_PARTITIONS_CONCURRENTLY
 * partitions are worked on at once, each one query at a time, so reads hold at most that many of the
 * database pool's connections and the writes keep the rest. Offsets are committed after the answers
 * are published (at-least-once; a read answered twice is harmless). A read it gives up on is
 * dead-lettered, and then (before its offset is committed) its asker is told `internal`
 * (DeadLetteredQueries): no read is left to the client's timeout.
 */
@Controller()
export class QueriesConsumer {
  constructor(private readonly handler: QueryHandler) {}

  @KafkaEventPattern(Topics.queries.name, { groupId: QUERIES_GROUP_ID, partitionsConsumedConcurrently: DEFAULT_QUERY_PARTITIONS_CONCURRENTLY, deadLetterObserver: DeadLetteredQueries })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    for (const record of records) {
      // Not a valid query: ProtocolError, and the consumer dead-letters just that record.
      await this.handler.answer(ChatQueries.decode(record.value));
    }
  }
}
