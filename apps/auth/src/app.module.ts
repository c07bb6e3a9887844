import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@chat/protocol';
import { DatabaseModule } from '@chat/database';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type { AuthConfig } from './config';
import { AUTH_ENTITIES, AUTH_MIGRATIONS } from './database/auth-database';
import { DirectoryModule } from './directory/directory.module';
import { HttpEdgeModule } from './http/http-edge.module';
import { MeModule } from './me/me.module';
import { RegistrationModule } from './registration/registration.module';
import { SessionsModule } from './sessions/sessions.module';
import { UserAdminModule } from './user-admin/user-admin.module';

@Module({})
export class AppModule {
  static register(config: AuthConfig, identity: ServiceIdentity): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ identity, config, topics: [Topics.users, Topics.sessions, Topics.userAdmin, Topics.userAdminResults] }),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, entities: AUTH_ENTITIES, migrations: AUTH_MIGRATIONS }),
        HttpEdgeModule,
        RegistrationModule,
        SessionsModule,
        MeModule,
        UserAdminModule,
        DirectoryModule,
      ],
    };
  }
}
