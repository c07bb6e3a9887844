import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InstanceHeartbeat, Topics } from '@chat/protocol';
import { KafkaConsumerFactory, type ConsumedRecord } from '@chat/kafka';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { InstanceRegistry } from './instance-registry';

/**
 * Reads every instance's heartbeats. Each metrics instance keeps the whole picture, so it uses a
 * consumer group of its own and reads only new records.
 */
@Injectable()
export class InstancesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly registry: InstanceRegistry,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  onApplicationBootstrap(): void {
    void this.consumers
      .create({
        groupId: `metrics.instances.${this.identity.instanceId}`,
        topics: [Topics.heartbeats.name],
        fromBeginning: false,
        // Only live heartbeats matter: committing would leave a group whose lag grows forever
        // once this instance is gone.
        commitOffsets: false,
        handle: async (record) => this.handle(record),
      })
      .start();
  }

  private async handle(record: ConsumedRecord): Promise<void> {
    const { payload, producedAt } = InstanceHeartbeat.decode(record.value);
    this.registry.record(payload, producedAt);
  }
}
