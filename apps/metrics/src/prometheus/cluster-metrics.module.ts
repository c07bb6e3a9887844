import { Module } from '@nestjs/common';
import { Telemetry } from '@chat/telemetry';
import { ClusterOverviewService } from '../overview/cluster-overview.service';
import { OverviewModule } from '../overview/overview.module';
import { ClusterMetrics } from './cluster-metrics';

/**
 * Puts the cluster figures on the process registry that service-kit serves at `GET /metrics`, so
 * Prometheus scrapes one endpoint; they are computed by this service, so they are not sampled.
 */
@Module({
  imports: [OverviewModule],
  providers: [
    {
      provide: ClusterMetrics,
      inject: [Telemetry, ClusterOverviewService],
      useFactory: (telemetry: Telemetry, overview: ClusterOverviewService) => new ClusterMetrics(telemetry.registry, (now) => overview.overview(now)),
    },
  ],
})
export class ClusterMetricsModule {}
