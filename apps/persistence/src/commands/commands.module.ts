import { Module } from '@nestjs/common';
import { DeliveryModule } from '@chat/delivery';
import { AnnouncementsModule } from '../announcements/announcements.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { MessagesModule } from '../messages/messages.module';
import { CommandBatchProcessor } from './command-batch.processor';
import { CommandDispatcher } from './command-dispatcher';
import { CommandsConsumer } from './commands.consumer';
import { DeadLetteredCommands } from './dead-lettered-commands';
import { EffectPublisher } from './effect-publisher';
import { ProcessedCommandsPruner } from './processed-commands.pruner';

/** chat.commands → one transaction per batch → the gateways' delivery topics, chat.memberships and chat.announcements. */
@Module({
  imports: [MessagesModule, ConversationsModule, AnnouncementsModule, DeliveryModule],
  controllers: [CommandsConsumer],
  providers: [CommandDispatcher, CommandBatchProcessor, EffectPublisher, DeadLetteredCommands, ProcessedCommandsPruner],
})
export class CommandsModule {}
