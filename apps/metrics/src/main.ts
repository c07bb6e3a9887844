import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { metricsConfigSchema } from './config';
import { serveDashboardAssets } from './dashboard/dashboard-assets';

void runService({ service: 'metrics', configSchema: metricsConfigSchema, rootModule: AppModule.register, configure: serveDashboardAssets });
