/**
 * The line charts as data: which series each chart shows (from `/api/timeseries`) and where every
 * line, tick and label goes. No DOM here; render.ts turns a layout into SVG.
 */
import type { TimeSeries } from './api.js';
import { fmtClock, fmtInt, fmtMs, fmtRate, fmtTick, niceStep } from './format.js';

export type Values = readonly (number | null)[];

export interface ChartSeries {
  label: string;
  color: string;
  values: Values;
  /** Drawn dashed (p99 next to a solid p50, dead letters next to lag). */
  dashed?: boolean;
}

export interface LineChartSpec {
  /** The `data-chart` name of the element it is drawn into. */
  name: string;
  title: string;
  yLabel: string;
  /** The legend's current value of each series. */
  format: (value: number | null) => string;
  /** The y axis reaches at least this far, so a flat zero line does not fill the chart. */
  minMax?: number;
  emptyText: string;
  series: (ts: TimeSeries) => ChartSeries[];
}

const STAGE_COLORS: Record<string, string> = { accepted: '#2b6cb0', stored: '#2f855a', routed: '#805ad5', delivered: '#dd6b20', echoed: '#718096' };
const SPAN_COLORS: Record<string, string> = { send_to_accepted: '#2b6cb0', accepted_to_stored: '#2f855a', stored_to_delivered: '#dd6b20', send_to_delivered: '#c53030' };
const FALLBACK_COLORS = ['#d53f8c', '#319795', '#975a16', '#4a5568'];

/** The spans the pipeline measures, in flow order; the latency table lists these even before data. */
export const SPAN_LABELS: Record<string, string> = {
  send_to_accepted: 'send → accepted',
  accepted_to_stored: 'accepted → stored',
  stored_to_delivered: 'stored → delivered',
  send_to_delivered: 'send → delivered',
};

export function spanLabel(span: string): string {
  return SPAN_LABELS[span] ?? span;
}

/** The known color of `key`, or one of the fallbacks for a stage or span the dashboard does not know. */
export function colorFor(colors: Record<string, string>, key: string, index: number): string {
  return colors[key] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length] ?? '#4a5568';
}

export function throughputSeries(ts: TimeSeries): ChartSeries[] {
  return Object.entries(ts.messagesPerSecond).map(([stage, values], i) => ({ label: stage, color: colorFor(STAGE_COLORS, stage, i), values }));
}

/** p50 solid and p99 dashed, in the span's color. */
export function latencySeries(ts: TimeSeries): ChartSeries[] {
  return Object.entries(ts.latencyMs).flatMap(([span, { p50, p99 }], i) => {
    const color = colorFor(SPAN_COLORS, span, i);
    return [
      { label: `${spanLabel(span)} p50`, color, values: p50 },
      { label: `${spanLabel(span)} p99`, color, values: p99, dashed: true },
    ];
  });
}

export const LINE_CHARTS: readonly LineChartSpec[] = [
  {
    name: 'throughput',
    title: 'Throughput',
    yLabel: 'messages / s',
    format: fmtRate,
    emptyText: 'no instance has reported message counts yet',
    series: throughputSeries,
  },
  {
    name: 'latency',
    title: 'Latency',
    yLabel: 'milliseconds',
    format: fmtMs,
    emptyText: 'no messages in the last 10 s',
    series: latencySeries,
  },
  {
    name: 'connections',
    title: 'Connections',
    yLabel: 'connections',
    format: fmtInt,
    minMax: 5,
    emptyText: 'no gateway reporting',
    series: (ts) => [{ label: 'connections', color: '#2b6cb0', values: ts.connections }],
  },
  {
    name: 'lag',
    title: 'Consumer lag',
    yLabel: 'records',
    format: fmtInt,
    minMax: 5,
    emptyText: 'offsets not read yet',
    series: (ts) => [
      { label: 'consumer lag', color: '#805ad5', values: ts.consumerLag },
      { label: 'dead letters', color: '#c53030', values: ts.deadLetters, dashed: true },
    ],
  },
];

export function lastValue(values: Values): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

/** Instants (indexes of `t`) at which some series has a value: the chart's `data-points`. */
export function instantsWithData(t: readonly number[], series: readonly ChartSeries[]): number {
  let points = 0;
  for (let i = 0; i < t.length; i++) {
    if (series.some((s) => s.values[i] !== null && s.values[i] !== undefined)) points++;
  }
  return points;
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Tick {
  /** Position along its axis, in SVG user units. */
  at: number;
  label: string;
}

/** Everything a line chart draws, in SVG user units of a `width` × `height` view box. */
export interface LineChartLayout {
  width: number;
  height: number;
  plot: Box;
  yTicks: Tick[];
  xTicks: Tick[];
  lines: { d: string; color: string; dashed: boolean }[];
  points: number;
  /** The newest instant drawn (ms), null before the first. */
  lastT: number | null;
}

export const CHART_HEIGHT = 240;
const MARGIN = { left: 58, right: 14, top: 12, bottom: 34 };

/**
 * Lays out series over time: x covers the last `windowSec` seconds (at least one minute) up to the
 * newest instant, y starts at 0 and ends on a round step above the largest value. Null values are
 * gaps in the line.
 */
export function layoutLineChart(
  width: number,
  t: readonly number[],
  series: readonly ChartSeries[],
  options: { windowSec: number; minMax?: number; now?: number },
): LineChartLayout {
  const plot: Box = { left: MARGIN.left, top: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: CHART_HEIGHT - MARGIN.top - MARGIN.bottom };
  const lastT = t.at(-1) ?? null;
  // The time axis grows with the history kept, from one minute up to the whole window.
  const tMax = lastT ?? options.now ?? Date.now();
  const tMin = tMax - Math.max(60, options.windowSec) * 1000;

  let largest = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > largest) largest = v;
  const floor = options.minMax ?? 1;
  const step = niceStep(largest > 0 ? largest * 1.1 : floor, 4);
  const yMax = Math.max(step, Math.ceil((largest > 0 ? largest * 1.05 : floor) / step) * step);
  const x = (tv: number): number => plot.left + ((tv - tMin) / (tMax - tMin || 1)) * plot.width;
  const y = (v: number): number => plot.top + plot.height - (v / yMax) * plot.height;

  const yTicks: Tick[] = [];
  for (let yv = 0; yv <= yMax + step / 2; yv += step) yTicks.push({ at: y(yv), label: fmtTick(yv, step) });

  const spanSec = (tMax - tMin) / 1000;
  const xStepMs = (spanSec > 300 ? 120 : spanSec > 120 ? 60 : spanSec > 60 ? 30 : 15) * 1000;
  const xTicks: Tick[] = [];
  for (let tv = Math.ceil(tMin / xStepMs) * xStepMs; tv <= tMax; tv += xStepMs) xTicks.push({ at: x(tv), label: fmtClock(tv) });

  const lines = series.flatMap((s) => {
    let d = '';
    let pen = false;
    t.forEach((tv, i) => {
      const v = s.values[i];
      if (v === null || v === undefined || tv < tMin) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(tv).toFixed(1)} ${y(v).toFixed(1)} `;
      pen = true;
    });
    return d ? [{ d: d.trimEnd(), color: s.color, dashed: s.dashed === true }] : [];
  });

  return { width, height: CHART_HEIGHT, plot, yTicks, xTicks, lines, points: instantsWithData(t, series), lastT };
}
