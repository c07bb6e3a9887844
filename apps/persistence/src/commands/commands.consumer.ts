import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ChatCommands, Topics } from '@chat/protocol';
import { ViewsService } from '@chat/delivery';
import { KafkaClient, KafkaConsumerFactory, type ConsumedRecord } from '@chat/kafka';
import { CommandBatchProcessor } from './command-batch.processor';

export const COMMANDS_GROUP_ID = 'persistence.commands';
/**
 * Partitions of chat.commands one instance works on at the same time: all of them, so the batches of
 * one fetch are handed over together and share one transaction (see CommandBatchProcessor).
 */
const PARTITIONS_IN_PARALLEL = Topics.commands.partitions;

/**
 * Consumes chat.commands in batches of one partition's consecutive records (see CommandBatchProcessor).
 * It starts only once the presence view is loaded: nothing stored is delivered against an empty view.
 */
@Injectable()
export class CommandsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly client: KafkaClient,
    private readonly views: ViewsService,
    private readonly consumers: KafkaConsumerFactory,
    private readonly processor: CommandBatchProcessor,
  ) {}

  onApplicationBootstrap(): void {
    void this.views.ready().then(() => {
      if (this.client.abortSignal.aborted) return;
      void this.consumers
        .create({
          groupId: COMMANDS_GROUP_ID,
          topics: [Topics.commands.name],
          partitionsConsumedConcurrently: PARTITIONS_IN_PARALLEL,
          handleBatch: (records) => this.handleBatch(records),
        })
        .start();
    });
  }

  private async handleBatch(records: ConsumedRecord[]): Promise<void> {
    // A record that is not a valid command throws ProtocolError here: the consumer then retries the
    // records one by one and dead-letters just that one.
    const commands = records.map((record) => ChatCommands.decode(record.value));
    await this.processor.process(commands);
  }
}
