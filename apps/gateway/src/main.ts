import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { GatewayConfig } from './config';
import { configureGateway } from './socket/gateway-ws-adapter';

void runService({ service: 'gateway', config: GatewayConfig, rootModule: AppModule.register, configure: configureGateway });
