import { Module, type DynamicModule } from '@nestjs/common';
import { Topics } from '@chat/protocol';
import { ServiceKitModule, type ServiceIdentity } from '@chat/service-kit';
import type { MetricsConfig } from './config';
import { DashboardModule } from './dashboard/dashboard.module';
import { InstancesModule } from './instances/instances.module';
import { OverviewModule } from './overview/overview.module';
import { ClusterMetricsModule } from './prometheus/cluster-metrics.module';
import { SamplesModule } from './samples/samples.module';
import { TimeSeriesModule } from './timeseries/timeseries.module';

@Module({})
export class AppModule {
  static register(config: MetricsConfig, identity: ServiceIdentity): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ identity, config, topics: [Topics.metrics] }),
        InstancesModule,
        SamplesModule,
        OverviewModule,
        TimeSeriesModule,
        ClusterMetricsModule,
        DashboardModule,
      ],
    };
  }
}
