import { Module } from '@nestjs/common';
import { KafkaClient } from '@chat/kafka';
import { MetricsConfig } from '../config';
import { KafkaOffsetsMonitor } from './kafka-offsets.monitor';

@Module({
  providers: [
    {
      provide: KafkaOffsetsMonitor,
      inject: [KafkaClient, MetricsConfig],
      useFactory: (client: KafkaClient, config: MetricsConfig) => new KafkaOffsetsMonitor(client, { pollIntervalMs: config.LAG_POLL_INTERVAL_MS }),
    },
  ],
  exports: [KafkaOffsetsMonitor],
})
export class LagModule {}
