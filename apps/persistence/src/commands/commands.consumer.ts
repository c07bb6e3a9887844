import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ChatCommands, Topics } from '@chat/protocol';
import { ViewsService } from '@chat/delivery';
import { KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { CommandBatchProcessor } from './command-batch.processor';
import { DeadLetteredCommands } from './dead-lettered-commands';

export const COMMANDS_GROUP_ID = 'persistence.commands';
/**
 * Partitions of chat.commands one instance works on at the same time: all of them, so the batches of
 * one fetch are handed over together and share one transaction (see CommandBatchProcessor).
 */
const PARTITIONS_IN_PARALLEL = Topics.commands.partitions;

/**
 * Consumes chat.commands in batches of one partition's consecutive records (see CommandBatchProcessor).
 * It starts only once the presence view is loaded: nothing stored is delivered against an empty view.
 * A command it gives up on is dead-lettered, and then (before its offset is committed) its sender is
 * told `not_stored` (DeadLetteredCommands).
 */
@Controller()
export class CommandsConsumer {
  constructor(private readonly processor: CommandBatchProcessor) {}

  @KafkaEventPattern(Topics.commands.name, { groupId: COMMANDS_GROUP_ID, partitionsConsumedConcurrently: PARTITIONS_IN_PARALLEL, startAfter: ViewsService, deadLetterObserver: DeadLetteredCommands })
  async handleBatch(@Payload() records: ConsumedRecord[]): Promise<void> {
    // A record that is not a valid command throws ProtocolError here: the consumer then retries the
    // records one by one and dead-letters just that one.
    const commands = records.map((record) => ChatCommands.decode(record.value));
    await this.processor.process(commands);
  }
}
