import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { routerConfigSchema } from './config';

void runService({ service: 'router', configSchema: routerConfigSchema, rootModule: AppModule.register });
