import type { LatencySummary } from './latency';
import type { FigureValue, RunResult } from './result';

/** Columns padded to their widest cell; the first row is the header. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => (cell ?? '').padEnd(widths[column])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function formatValue(value: FigureValue): string {
  if (value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
  return String(value);
}

/**
 * Figures as table rows: one row each, except keys `<prefix>.<name>` (e.g. `cpuUsPerMessage.gw0`),
 * which share one compact row per prefix (`gw0 12.3 · router 8 · …`) where the first of them stood.
 */
export function figureRows(figures: Record<string, FigureValue>): Array<[string, string]> {
  const rows: Array<[string, string[]]> = [];
  const grouped = new Map<string, string[]>();
  for (const [key, value] of Object.entries(figures)) {
    const dot = key.indexOf('.');
    if (dot <= 0) {
      rows.push([key, [formatValue(value)]]);
      continue;
    }
    const prefix = key.slice(0, dot);
    let items = grouped.get(prefix);
    if (!items) {
      items = [];
      grouped.set(prefix, items);
      rows.push([prefix, items]);
    }
    items.push(`${key.slice(dot + 1)} ${formatValue(value)}`);
  }
  return rows.map(([key, items]) => [key, items.join(' · ')]);
}

export function formatLatency(summary: LatencySummary): string {
  const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return `p50 ${ms(summary.p50)} · p90 ${ms(summary.p90)} · p99 ${ms(summary.p99)} · p99.9 ${ms(summary.p999)} · max ${ms(summary.max)} ms (n=${summary.count})`;
}

/**
 * One row per scenario run (and phase: a `codec_100` figure is the phase of groups of 100) with
 * the wire figures of context.ts's wireFigures, so runs with different codecs line up.
 */
export function codecRows(result: RunResult): string[][] {
  const rows: string[][] = [];
  for (const scenario of result.scenarios) {
    for (const key of Object.keys(scenario.figures)) {
      const suffix = /^codec(.*)$/.exec(key)?.[1];
      if (suffix === undefined) continue;
      const figure = (name: string) => formatValue(scenario.figures[`${name}${suffix}`] ?? null);
      rows.push([`${scenario.name}${suffix.replace('_', ' ')}`, figure('codec'), figure('bytesPerFrameToClients'), figure('bytesPerFrameFromClients'), figure('gatewayCpuUsPerFrame')]);
    }
  }
  return rows;
}

/** The end-of-run summary: every scenario's figures and checks, the baselines, the codecs compared, and the ratios. */
export function summaryText(result: RunResult): string {
  const parts: string[] = [];
  if (result.baselines.length > 0) {
    const rows = [['baseline', 'messages', 'msgs/s', 'latency']];
    for (const b of result.baselines) rows.push([b.label, formatValue(b.messages), formatValue(b.messagesPerSecond), formatLatency(b.latencyMs)]);
    parts.push(formatTable(rows));
  }
  for (const scenario of result.scenarios) {
    const name = scenario.codec ? `${scenario.name} [${scenario.codec}]` : scenario.name;
    const rows = [[`${name} ${scenario.ok ? 'OK' : 'FAILED'} (${(scenario.durationMs / 1000).toFixed(0)} s)`, 'value']];
    for (const [key, value] of figureRows(scenario.figures)) rows.push([key, value]);
    for (const [kind, summary] of Object.entries(scenario.latencyMs)) if (summary) rows.push([`latency send→${kind}`, formatLatency(summary)]);
    for (const check of scenario.checks) rows.push([`check: ${check.name}`, `${check.ok ? 'ok' : 'FAILED'} (${check.detail})`]);
    for (const error of scenario.errors.slice(0, 5)) rows.push(['error', error.slice(0, 160)]);
    parts.push(formatTable(rows));
    for (const table of scenario.tables ?? []) parts.push(`${table.title}\n${formatTable(table.rows)}`);
  }
  const codecs = codecRows(result);
  if (new Set(codecs.map((row) => row[1])).size > 1) parts.push(formatTable([['codecs compared', 'codec', 'bytes/frame to clients', 'bytes/frame from clients', 'gateway CPU µs/frame'], ...codecs]));
  if (result.ratios.length > 0) {
    const rows = [['suite vs baseline', 'suite', 'baseline', 'ratio', 'meaning']];
    for (const r of result.ratios) rows.push([r.name, formatValue(r.suite), formatValue(r.baseline), `${r.ratio.toFixed(2)}×`, r.meaning]);
    parts.push(formatTable(rows));
  }
  for (const profile of result.profiles) {
    const rows = [[`cpu profile ${profile.instanceId} (${(profile.totalMs / 1000).toFixed(1)} s sampled)`, 'self ms', 'self %', 'where']];
    for (const f of profile.top) rows.push([f.function, formatValue(Math.round(f.selfMs)), f.selfPercent.toFixed(1), f.location]);
    parts.push(formatTable(rows));
  }
  if (result.errors.length > 0) parts.push(`errors:\n${result.errors.map((e) => `  ${e}`).join('\n')}`);
  return parts.join('\n\n');
}
