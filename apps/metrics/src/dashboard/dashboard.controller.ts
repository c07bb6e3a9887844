import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Redirect, StreamableFile } from '@nestjs/common';
import { DASHBOARD_DIR, DASHBOARD_PATH } from './dashboard-assets';

/**
 * The live dashboard's page: static HTML whose script (public/dashboard, served by
 * serveDashboardAssets) polls `/api/overview` and `/api/timeseries`.
 */
@Controller()
export class DashboardController {
  /** The service's root opens the dashboard, the page a person is most likely looking for. */
  @Get()
  @Redirect(DASHBOARD_PATH, 302)
  root(): { url: string } {
    return { url: DASHBOARD_PATH };
  }

  @Get(DASHBOARD_PATH)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): StreamableFile {
    return new StreamableFile(createReadStream(join(DASHBOARD_DIR, 'index.html')));
  }
}
