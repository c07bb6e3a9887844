import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@chat/service-kit';
import type { MetricsConfig } from '../config';
import { SampleAggregator } from './sample-aggregator';
import { SamplesConsumer } from './samples.consumer';

@Module({
  controllers: [SamplesConsumer],
  providers: [
    { provide: SampleAggregator, inject: [SERVICE_CONFIG], useFactory: (config: MetricsConfig) => new SampleAggregator(config.MISSED_HEARTBEATS_BEFORE_MISSING) },
  ],
  exports: [SampleAggregator],
})
export class SamplesModule {}
