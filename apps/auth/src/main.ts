import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { authConfigSchema } from './config';

void runService({ service: 'auth', configSchema: authConfigSchema, rootModule: AppModule.register });
