import { Controller, Get, Header } from '@nestjs/common';
import type { ClusterOverview } from './cluster-overview';
import { ClusterOverviewService } from './cluster-overview.service';

/** The cluster's current picture, polled by the dashboard (and read by tests and scripts). */
@Controller('api/overview')
export class OverviewController {
  constructor(private readonly overview: ClusterOverviewService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  current(): ClusterOverview {
    return this.overview.overview(Date.now());
  }
}
