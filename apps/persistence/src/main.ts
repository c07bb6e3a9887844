import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { persistenceConfigSchema } from './config';

void runService({ service: 'persistence', configSchema: persistenceConfigSchema, rootModule: AppModule.register });
