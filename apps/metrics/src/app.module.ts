import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type { MetricsConfig } from './config';
import { InstancesModule } from './instances/instances.module';

@Module({})
export class AppModule {
  static register(config: MetricsConfig, identity: ServiceIdentity): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ identity, config, topics: [] }), InstancesModule.register(config.MISSED_HEARTBEATS_BEFORE_MISSING)],
    };
  }
}
