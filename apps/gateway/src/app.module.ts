import { Module, type DynamicModule } from '@nestjs/common';
import { deliveryTopicFor, Topics } from '@chat/protocol';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type { GatewayConfig } from './config';
import { DeliveryModule } from './delivery/delivery.module';
import { SocketModule } from './socket/socket.module';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, identity: ServiceIdentity): DynamicModule {
    // Produces commands, typing, presence and its lease; consumes its own delivery topic and reads the
    // session revocations. Never chat.events: its Kafka principal may not write stored facts.
    const topics = [Topics.commands, Topics.queries, Topics.typing, Topics.presence, Topics.gateways, Topics.sessions, deliveryTopicFor(identity.instanceId)];
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ identity, config, topics }), SocketModule, DeliveryModule],
    };
  }
}
