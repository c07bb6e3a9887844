import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InstanceHeartbeat, Topics } from '@chat/protocol';
import { INSTANCE_ID_PLACEHOLDER, KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { InstanceRegistry } from './instance-registry';

/**
 * Reads every instance's heartbeats. Each metrics instance keeps the whole picture, so it uses a
 * consumer group of its own and reads only new records. Only live heartbeats matter: committing
 * would leave a group whose lag grows forever once this instance is gone.
 */
@Controller()
export class InstancesConsumer {
  constructor(private readonly registry: InstanceRegistry) {}

  @KafkaEventPattern(Topics.heartbeats.name, { groupId: `metrics.instances.${INSTANCE_ID_PLACEHOLDER}`, mode: 'record', fromBeginning: false, commitOffsets: false })
  async handle(@Payload() record: ConsumedRecord): Promise<void> {
    const { payload, producedAt } = InstanceHeartbeat.decode(record.value);
    this.registry.record(payload, producedAt);
  }
}
