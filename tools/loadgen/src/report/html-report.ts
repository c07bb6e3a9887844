import type { RunResult, ScenarioResult } from './result';
import { formatLatency } from './summary-table';

/*
 * A self-contained HTML page (inline SVG, no scripts, no CDN) with one set of charts per scenario:
 * latency percentiles per second and throughput per second.
 */

interface Series {
  name: string;
  color: string;
  points: Array<[number, number | undefined]>;
}

const WIDTH = 760;
const HEIGHT = 220;
const MARGIN = { left: 60, right: 16, top: 14, bottom: 28 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= value) ?? 10;
  return step * magnitude;
}

function formatTick(value: number): string {
  if (value >= 1_000_000) return `${value / 1_000_000}M`;
  if (value >= 1000) return `${value / 1000}k`;
  return String(Math.round(value * 100) / 100);
}

/** A line chart of several series over seconds. */
export function lineChart(title: string, unit: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const maxX = Math.max(1, ...all.map(([x]) => x));
  const maxY = niceMax(Math.max(0, ...all.map(([, y]) => y ?? 0)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (value: number) => MARGIN.left + (value / maxX) * plotW;
  const y = (value: number) => MARGIN.top + plotH - (value / maxY) * plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const value = maxY * f;
      return `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e5e5"/><text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${formatTick(value)}</text>`;
    })
    .join('');
  const xTicks = Array.from({ length: 6 }, (_, i) => Math.round((maxX * i) / 5))
    .map((value) => `<text x="${x(value)}" y="${HEIGHT - 8}" text-anchor="middle">${value}s</text>`)
    .join('');
  const lines = series
    .map((s) => {
      // Gaps (no value that second) break the line.
      const segments: string[] = [];
      let current: string[] = [];
      for (const [px, py] of s.points) {
        if (py === undefined) {
          if (current.length > 0) segments.push(current.join(' '));
          current = [];
        } else current.push(`${x(px).toFixed(1)},${y(py).toFixed(1)}`);
      }
      if (current.length > 0) segments.push(current.join(' '));
      return segments.map((points) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.6" points="${points}"/>`).join('');
    })
    .join('');
  const legend = series.map((s, i) => `<rect x="${MARGIN.left + 10 + i * 150}" y="${MARGIN.top}" width="10" height="10" fill="${s.color}"/><text x="${MARGIN.left + 24 + i * 150}" y="${MARGIN.top + 9}">${escape(s.name)}</text>`).join('');
  return `<figure><figcaption>${escape(title)} (${escape(unit)})</figcaption><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-size="11" font-family="sans-serif">${grid}${xTicks}${lines}${legend}</svg></figure>`;
}

function scenarioSection(scenario: ScenarioResult): string {
  const t = scenario.timeline;
  const charts: string[] = [];
  if (t.some((s) => s.deliveredMs)) {
    charts.push(
      lineChart('send → delivered latency per second', 'ms', [
        { name: 'p50', color: '#2b8a3e', points: t.map((s) => [s.t, s.deliveredMs?.p50]) },
        { name: 'p99', color: '#e8590c', points: t.map((s) => [s.t, s.deliveredMs?.p99]) },
        { name: 'max', color: '#adb5bd', points: t.map((s) => [s.t, s.deliveredMs?.max]) },
      ]),
    );
  }
  if (t.some((s) => s.counters.sent > 0 || s.counters.delivered > 0)) {
    charts.push(
      lineChart('throughput per second', 'messages/s', [
        { name: 'sent', color: '#1971c2', points: t.map((s) => [s.t, s.counters.sent]) },
        { name: 'accepted', color: '#7048e8', points: t.map((s) => [s.t, s.counters.accepted]) },
        { name: 'delivered', color: '#2b8a3e', points: t.map((s) => [s.t, s.counters.delivered]) },
      ]),
    );
  }
  if (t.some((s) => s.counters.ready > 0 || s.counters.readyAgain > 0 || s.counters.reconnectAttempts > 0)) {
    charts.push(
      lineChart('connections per second', 'per second', [
        { name: 'ready (first time)', color: '#1971c2', points: t.map((s) => [s.t, s.counters.ready]) },
        { name: 'ready again', color: '#2b8a3e', points: t.map((s) => [s.t, s.counters.readyAgain]) },
        { name: 'reconnect attempts', color: '#e8590c', points: t.map((s) => [s.t, s.counters.reconnectAttempts]) },
      ]),
    );
    charts.push(lineChart('clients ready', 'clients', [{ name: 'ready', color: '#1971c2', points: t.map((s) => [s.t, s.ready]) }]));
  }
  const figures = Object.entries(scenario.figures)
    .map(([key, value]) => `<tr><td>${escape(key)}</td><td>${escape(value === null ? '-' : String(value))}</td></tr>`)
    .join('');
  const latency = Object.entries(scenario.latencyMs)
    .map(([kind, summary]) => (summary ? `<tr><td>latency send→${escape(kind)}</td><td>${escape(formatLatency(summary))}</td></tr>` : ''))
    .join('');
  const checks = scenario.checks.map((c) => `<tr><td>check: ${escape(c.name)}</td><td>${c.ok ? 'ok' : '<b>FAILED</b>'} ${escape(c.detail)}</td></tr>`).join('');
  const tables = (scenario.tables ?? [])
    .map((table) => `<h3>${escape(table.title)}</h3><table>${table.rows.map((row, i) => `<tr>${row.map((c) => (i === 0 ? `<th>${escape(c)}</th>` : `<td>${escape(c)}</td>`)).join('')}</tr>`).join('')}</table>`)
    .join('');
  return `<section><h2>${escape(scenario.name)} ${scenario.ok ? '✓' : '✗'}</h2><table>${figures}${latency}${checks}</table>${tables}${charts.join('')}</section>`;
}

export function renderHtmlReport(result: RunResult): string {
  const baselines = result.baselines.map((b) => `<tr><td>${escape(b.label)}</td><td>${b.messagesPerSecond} msgs/s</td><td>${escape(formatLatency(b.latencyMs))}</td></tr>`).join('');
  const ratios = result.ratios.map((r) => `<tr><td>${escape(r.name)}</td><td>${r.suite}</td><td>${r.baseline}</td><td>${r.ratio.toFixed(2)}×</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chat load generator ${escape(result.startedAt)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#212529}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dee2e6;padding:3px 8px;font-size:13px;text-align:left}figure{margin:12px 0}figcaption{font-size:13px;font-weight:bold}</style>
</head><body>
<h1>chat load generator</h1>
<p>${escape(result.startedAt)} – ${escape(result.finishedAt)} · ${result.machine.cpus} CPUs · load average ${result.machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')} at start · ${result.suite.gateways} gateway(s) · suite ${result.suite.startedByLoadgen ? 'started by the load generator' : 'external'}</p>
${baselines ? `<h2>baselines</h2><table><tr><th>baseline</th><th>throughput</th><th>latency</th></tr>${baselines}</table>` : ''}
${ratios ? `<h2>suite vs baselines</h2><table><tr><th>figure</th><th>suite</th><th>baseline</th><th>ratio</th></tr>${ratios}</table>` : ''}
${result.scenarios.map(scenarioSection).join('\n')}
</body></html>
`;
}
