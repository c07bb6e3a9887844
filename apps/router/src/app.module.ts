import { Module, type DynamicModule } from '@nestjs/common';
import { ViewsModule } from '@chat/delivery';
import { Topics } from '@chat/protocol';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import { AnnouncementsModule } from './announcements/announcements.module';
import type { RouterConfig } from './config';
import { ConsumerGroups } from './consumer-groups';
import { MembershipsModule } from './memberships/memberships.module';
import { PresenceModule } from './presence/presence.module';
import { RoutingModule } from './routing/routing.module';

@Module({})
export class AppModule {
  static register(config: RouterConfig, identity: ServiceIdentity): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Delivery topics (chat.delivery.<gatewayId>) are provisioned on first use, not here.
        ServiceKitModule.forRoot({ identity, config, topics: [Topics.events, Topics.typing, Topics.memberships, Topics.presence, Topics.gateways, Topics.announcements] }),
        ViewsModule.forRoot({ consumerGroup: ConsumerGroups.views, memberships: true, announcements: true }),
        RoutingModule,
        PresenceModule,
        MembershipsModule,
        AnnouncementsModule,
      ],
    };
  }
}
