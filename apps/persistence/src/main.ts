import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { PersistenceConfig } from './config';

void runService({ service: 'persistence', config: PersistenceConfig, rootModule: AppModule.register });
