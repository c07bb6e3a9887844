import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { gatewayConfigSchema } from './config';

void runService({ service: 'gateway', configSchema: gatewayConfigSchema, rootModule: AppModule.register });
