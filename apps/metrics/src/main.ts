import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { metricsConfigSchema } from './config';

void runService({ service: 'metrics', configSchema: metricsConfigSchema, rootModule: AppModule.register });
