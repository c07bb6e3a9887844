import { runService } from '@chat/service-kit';
import { AppModule } from './app.module';
import { MetricsConfig } from './config';
import { serveDashboardAssets } from './dashboard/dashboard-assets';

void runService({ service: 'metrics', config: MetricsConfig, rootModule: AppModule.register, configure: serveDashboardAssets });
