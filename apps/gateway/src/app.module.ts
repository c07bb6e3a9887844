import { Module, type DynamicModule } from '@nestjs/common';
import { deliveryTopicFor, Topics } from '@chat/protocol';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type { GatewayConfig } from './config';
import { DeliveryModule } from './delivery/delivery.module';
import { SocketModule } from './socket/socket.module';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, identity: ServiceIdentity): DynamicModule {
    // Produces commands, typing events, presence and its lease; consumes only its own delivery topic.
    const topics = [Topics.commands, Topics.events, Topics.presence, Topics.gateways, deliveryTopicFor(identity.instanceId)];
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ identity, config, topics }), SocketModule, DeliveryModule],
    };
  }
}
