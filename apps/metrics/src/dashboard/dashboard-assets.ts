import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * The dashboard's files (apps/metrics/public/dashboard). The build writes them, compiled, to the same
 * place relative to this file in dist/ as in the sources (tools/scripts/build-app.mjs).
 */
export const DASHBOARD_DIR = join(__dirname, '..', '..', 'public', 'dashboard');

/** The page's URL; its script and styles are served below it (`/dashboard/dashboard.js`). */
export const DASHBOARD_PATH = '/dashboard';

/**
 * Serves the dashboard's scripts and styles as static files under `/dashboard/`. The page itself is
 * DashboardController's (`/dashboard`, no redirect to a trailing slash), so the folder is never
 * listed, indexed or redirected to.
 */
export function serveDashboardAssets(app: NestExpressApplication): void {
  app.useStaticAssets(DASHBOARD_DIR, { prefix: `${DASHBOARD_PATH}/`, index: false, redirect: false, fallthrough: true });
}
