import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { MetricsSample, Topics } from '@chat/protocol';
import { KafkaConsumerFactory, type ConsumedRecord } from '@chat/kafka';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { SampleAggregator } from './sample-aggregator';

/**
 * Reads every instance's metrics samples. Each metrics instance aggregates the whole cluster, so it
 * has a group of its own; it commits nothing, so a restart starts from the newest samples instead
 * of replaying a backlog into windows that describe "now" (counters are cumulative, so the first
 * sample of each instance already carries its totals).
 */
@Injectable()
export class SamplesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaConsumerFactory,
    private readonly aggregator: SampleAggregator,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
  ) {}

  onApplicationBootstrap(): void {
    void this.consumers
      .create({
        groupId: `metrics.samples.${this.identity.instanceId}`,
        topics: [Topics.metrics.name],
        fromBeginning: false,
        commitOffsets: false,
        handle: async (record) => this.handle(record),
      })
      .start();
  }

  private async handle(record: ConsumedRecord): Promise<void> {
    const { payload } = MetricsSample.decode(record.value);
    this.aggregator.ingest(payload, Date.now());
  }
}
