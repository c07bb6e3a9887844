import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MetricsSample, Topics } from '@chat/protocol';
import { INSTANCE_ID_PLACEHOLDER, KafkaEventPattern, type ConsumedRecord } from '@chat/kafka';
import { SampleAggregator } from './sample-aggregator';

/**
 * Reads every instance's metrics samples. Each metrics instance aggregates the whole cluster, so it
 * has a group of its own; it commits nothing, so a restart starts from the newest samples instead
 * of replaying a backlog into windows that describe "now" (counters are cumulative, so the first
 * sample of each instance already carries its totals).
 */
@Controller()
export class SamplesConsumer {
  constructor(private readonly aggregator: SampleAggregator) {}

  @KafkaEventPattern(Topics.metrics.name, { groupId: `metrics.samples.${INSTANCE_ID_PLACEHOLDER}`, mode: 'record', fromBeginning: false, commitOffsets: false })
  async handle(@Payload() record: ConsumedRecord): Promise<void> {
    const { payload } = MetricsSample.decode(record.value);
    this.aggregator.ingest(payload, Date.now());
  }
}
