import { Module } from '@nestjs/common';
import { MetricsConfig } from '../config';
import { SampleAggregator } from './sample-aggregator';
import { SamplesConsumer } from './samples.consumer';

@Module({
  controllers: [SamplesConsumer],
  providers: [
    { provide: SampleAggregator, inject: [MetricsConfig], useFactory: (config: MetricsConfig) => new SampleAggregator(config.MISSED_HEARTBEATS_BEFORE_MISSING) },
  ],
  exports: [SampleAggregator],
})
export class SamplesModule {}
