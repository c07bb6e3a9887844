import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterOverviewService } from '../overview/cluster-overview.service';
import { ClusterSeries, SERIES_INTERVAL_MS } from './cluster-series';

/** Takes one point of the cluster's figures per second, on the second. */
@Injectable()
export class ClusterSeriesRecorder implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly series: ClusterSeries,
    private readonly overview: ClusterOverviewService,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      const now = Date.now();
      this.series.add(this.overview.point(now, Math.round(now / SERIES_INTERVAL_MS) * SERIES_INTERVAL_MS));
      this.timer = setTimeout(tick, SERIES_INTERVAL_MS - (Date.now() % SERIES_INTERVAL_MS));
      this.timer.unref();
    };
    this.timer = setTimeout(tick, SERIES_INTERVAL_MS - (Date.now() % SERIES_INTERVAL_MS));
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }
}
