/**
 * The dashboard's entry (index.html loads it as a module): polls `/api/overview` and
 * `/api/timeseries` every second and redraws the tiles, charts and tables.
 */
import type { Overview, TimeSeries } from './api.js';
import { LINE_CHARTS } from './charts.js';
import { fmtClock } from './format.js';
import { DEFAULT_LATENCY_WINDOW, headlines, tables, TABLE_NAMES, tiles } from './overview.js';
import { chartElement, drawHeadline, drawLineChart, drawTable, drawTile, requireElement } from './render.js';

const POLL_MS = 1000;

let latencyWindow = DEFAULT_LATENCY_WINDOW;
let lastOverview: Overview | null = null;

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function renderOverview(o: Overview): void {
  for (const tile of tiles(o)) drawTile(tile);
  const now = headlines(o);
  drawHeadline(requireElement('#connections-now'), now.connections, 'open');
  drawHeadline(requireElement('#lag-now'), now.lag, 'records');
  renderLatencyWindows(o.latency.windows);
  const views = tables(o, latencyWindow);
  for (const name of TABLE_NAMES) drawTable(chartElement(name), views[name]);
}

function renderSeries(ts: TimeSeries): void {
  for (const spec of LINE_CHARTS) drawLineChart(chartElement(spec.name), spec, ts);
}

/** One button per latency window; the table shows the pressed one. Built once the windows are known. */
function renderLatencyWindows(windows: string[]): void {
  const holder = requireElement('#latency-windows');
  if (holder.childElementCount === windows.length) return;
  holder.replaceChildren(
    ...windows.map((w) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = w;
      button.setAttribute('aria-pressed', String(w === latencyWindow));
      button.addEventListener('click', () => {
        latencyWindow = w;
        for (const b of holder.children) b.setAttribute('aria-pressed', String(b.textContent === w));
        if (lastOverview) renderOverview(lastOverview);
      });
      return button;
    }),
  );
}

function setStatus(state: 'live' | 'error', text: string): void {
  const el = requireElement('#status');
  el.setAttribute('data-status', state);
  el.textContent = text;
}

async function poll(): Promise<void> {
  try {
    const [overview, series] = await Promise.all([getJson<Overview>('/api/overview'), getJson<TimeSeries>('/api/timeseries')]);
    lastOverview = overview;
    renderOverview(overview);
    renderSeries(series);
    setStatus('live', 'live');
    requireElement('#updated').textContent = `updated ${fmtClock(overview.at)}`;
    document.body.setAttribute('data-updated-at', String(overview.at));
  } catch (error) {
    setStatus('error', `not updating: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    setTimeout(() => void poll(), POLL_MS);
  }
}

void poll();
