import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type { PersistenceConfig } from './config';

@Module({})
export class AppModule {
  static register(config: PersistenceConfig, identity: ServiceIdentity): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ identity, config, topics: [] }),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: [], migrations: [] }),
      ],
    };
  }
}
