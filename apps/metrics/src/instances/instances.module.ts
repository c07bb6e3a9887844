import { Module } from '@nestjs/common';
import { MetricsConfig } from '../config';
import { InstanceRegistry } from './instance-registry';
import { InstancesConsumer } from './instances.consumer';
import { InstancesController } from './instances.controller';

@Module({
  controllers: [InstancesController, InstancesConsumer],
  providers: [
    { provide: InstanceRegistry, inject: [MetricsConfig], useFactory: (config: MetricsConfig) => new InstanceRegistry(config.MISSED_HEARTBEATS_BEFORE_MISSING) },
  ],
  exports: [InstanceRegistry],
})
export class InstancesModule {}
