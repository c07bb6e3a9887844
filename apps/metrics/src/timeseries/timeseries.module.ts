import { Module } from '@nestjs/common';
import { MetricsConfig } from '../config';
import { OverviewModule } from '../overview/overview.module';
import { ClusterSeries } from './cluster-series';
import { ClusterSeriesRecorder } from './cluster-series.recorder';
import { TimeSeriesController } from './timeseries.controller';

@Module({
  imports: [OverviewModule],
  controllers: [TimeSeriesController],
  providers: [
    { provide: ClusterSeries, inject: [MetricsConfig], useFactory: (config: MetricsConfig) => new ClusterSeries(config.TIMESERIES_SECONDS) },
    ClusterSeriesRecorder,
  ],
})
export class TimeSeriesModule {}
