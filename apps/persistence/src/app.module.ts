import { Module, type DynamicModule } from '@nestjs/common';
import { ViewsModule } from '@chat/delivery';
import { Topics } from '@chat/protocol';
import { DatabaseModule } from '@chat/database';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { CommandsModule } from './commands/commands.module';
import type { PersistenceConfig } from './config';
import { PERSISTENCE_ENTITIES, PERSISTENCE_MIGRATIONS } from './database/schema';
import { StoredContentModule } from './database/stored-content.module';
import { QueriesModule } from './queries/queries.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static register(config: PersistenceConfig, identity: ServiceIdentity): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ identity, config, topics: [Topics.users, Topics.commands, Topics.queries, Topics.events, Topics.memberships, Topics.presence, Topics.gateways, Topics.announcements] }),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: PERSISTENCE_ENTITIES, migrations: PERSISTENCE_MIGRATIONS }),
        // Message bodies and other user content are sealed before they reach the tables (stored-content.ts).
        StoredContentModule,
        // Where each user is connected (presence and gateway leases), to deliver what is stored straight to their gateways.
        ViewsModule.forRoot({ consumerGroup: (instanceId, startedAt) => `persistence.views.${instanceId}.${startedAt}`, memberships: false, announcements: false }),
        UsersModule,
        CommandsModule,
        QueriesModule,
      ],
    };
  }
}
