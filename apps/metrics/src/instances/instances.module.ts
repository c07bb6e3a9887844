import { Module } from '@nestjs/common';
import { InstanceRegistry } from './instance-registry';
import { InstancesConsumer } from './instances.consumer';
import { InstancesController } from './instances.controller';

@Module({})
export class InstancesModule {
  static register(missedHeartbeatsBeforeMissing: number) {
    return {
      module: InstancesModule,
      controllers: [InstancesController],
      providers: [{ provide: InstanceRegistry, useValue: new InstanceRegistry(missedHeartbeatsBeforeMissing) }, InstancesConsumer],
    };
  }
}
