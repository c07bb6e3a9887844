import { Module } from '@nestjs/common';
import { DeliveryModule } from '@chat/delivery';
import { ConversationsModule } from '../conversations/conversations.module';
import { MessagesModule } from '../messages/messages.module';
import { DeadLetteredQueries } from './dead-lettered-queries';
import { QueriesConsumer } from './queries.consumer';
import { QueryAnswersPublisher } from './query-answers.publisher';
import { QueryHandler } from './query-handler';

/** chat.queries → one read at a time per partition, outside the write transactions → the asking gateway's delivery topic. */
@Module({
  imports: [MessagesModule, ConversationsModule, DeliveryModule],
  controllers: [QueriesConsumer],
  providers: [QueryHandler, QueryAnswersPublisher, DeadLetteredQueries],
  exports: [QueryHandler],
})
export class QueriesModule {}
