import { Controller, Get, Header, Redirect } from '@nestjs/common';
import { DASHBOARD_HTML } from './dashboard.page';
import { DASHBOARD_JS } from './dashboard.script';
import { DASHBOARD_CSS } from './dashboard.styles';

/** The live dashboard: one static page whose script polls `/api/overview` and `/api/timeseries`. */
@Controller()
export class DashboardController {
  /** The service's root opens the dashboard, the page a person is most likely looking for. */
  @Get()
  @Redirect('/dashboard', 302)
  root(): { url: string } {
    return { url: '/dashboard' };
  }

  @Get('dashboard')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('dashboard/dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return DASHBOARD_JS;
  }

  @Get('dashboard/dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  styles(): string {
    return DASHBOARD_CSS;
  }
}
