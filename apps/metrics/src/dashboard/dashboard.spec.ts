import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Overview, TimeSeries } from '../../public/dashboard/api';
import { instantsWithData, LINE_CHARTS } from '../../public/dashboard/charts';
import { TABLE_NAMES, TILE_NAMES } from '../../public/dashboard/overview';
import type { ClusterOverview } from '../overview/cluster-overview';
import { ClusterSeries } from '../timeseries/cluster-series';
import { DASHBOARD_DIR, serveDashboardAssets } from './dashboard-assets';
import { DashboardController } from './dashboard.controller';

// Compile-time: what GET /api/overview answers is what the dashboard reads (typecheck fails otherwise).
const overviewFits: ClusterOverview extends Overview ? true : false = true;

const html = readFileSync(join(DASHBOARD_DIR, 'index.html'), 'utf8');
const sources = readdirSync(DASHBOARD_DIR).filter((file) => /\.(ts|css|html)$/.test(file));

describe('dashboard page', () => {
  it('has an element for every chart, table and tile the script draws', () => {
    for (const name of [...LINE_CHARTS.map((chart) => chart.name), ...TABLE_NAMES]) expect(html).toContain(`data-chart="${name}"`);
    for (const name of TILE_NAMES) expect(html).toContain(`data-tile="${name}"`);
    const ids = [...readFileSync(join(DASHBOARD_DIR, 'dashboard.ts'), 'utf8').matchAll(/requireElement\('#([a-z-]+)'\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(html).toContain(`id="${id}"`);
  });

  it('loads its script (an ES module) and styles from the service itself, nothing from elsewhere', () => {
    expect(html).toContain('<script type="module" src="/dashboard/dashboard.js">');
    expect(html).toContain('href="/dashboard/dashboard.css"');
    const external = sources.filter((file) => /https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(readFileSync(join(DASHBOARD_DIR, file), 'utf8')));
    expect(sources).toContain('dashboard.ts');
    expect(external).toEqual([]);
  });

  it('charts the time series the service keeps', () => {
    expect(overviewFits).toBe(true);
    const series = new ClusterSeries(60);
    series.add({ t: 1000, messagesPerSecond: { accepted: 2 }, connections: 3, latencyMs: {}, consumerLag: null, deadLetters: null });
    series.add({ t: 2000, messagesPerSecond: { accepted: 4 }, connections: 3, latencyMs: { send_to_delivered: { p50: 1, p99: 9 } }, consumerLag: 0, deadLetters: 0 });
    const ts: TimeSeries = series.columns(60);
    expect(Object.fromEntries(LINE_CHARTS.map((chart) => [chart.name, instantsWithData(ts.t, chart.series(ts))]))).toEqual({
      throughput: 2,
      latency: 1,
      connections: 2,
      lag: 1,
    });
  });
});

@Module({ controllers: [DashboardController] })
class DashboardTestModule {}

describe('dashboard over HTTP', () => {
  let app: NestExpressApplication;
  let base: string;

  beforeAll(async () => {
    // As runService does: the application, then the metrics app's configure hook, then listen.
    app = await NestFactory.create<NestExpressApplication>(DashboardTestModule, { logger: false, abortOnError: false });
    serveDashboardAssets(app);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves the page at /dashboard itself, without a redirect, and sends / there', async () => {
    for (const path of ['/dashboard', '/dashboard/']) {
      const page = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect({ path, status: page.status, type: page.headers.get('content-type') }).toEqual({ path, status: 200, type: 'text/html; charset=utf-8' });
      expect(await page.text()).toBe(html);
    }
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect({ status: root.status, location: root.headers.get('location') }).toEqual({ status: 302, location: '/dashboard' });
  });

  it('serves the files below /dashboard/ as static files, and nothing else', async () => {
    const styles = await fetch(`${base}/dashboard/dashboard.css`);
    expect(styles.status).toBe(200);
    expect(styles.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await styles.text()).toBe(readFileSync(join(DASHBOARD_DIR, 'dashboard.css'), 'utf8'));
    expect((await fetch(`${base}/dashboard/no-such-file.js`)).status).toBe(404);
  });
});
