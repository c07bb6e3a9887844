import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type { RouterConfig } from './config';

@Module({})
export class AppModule {
  static register(config: RouterConfig, identity: ServiceIdentity): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ identity, config, topics: [] })],
    };
  }
}
