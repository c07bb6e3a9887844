/**
 * Writes the views of charts.ts and overview.ts into the page. For headless tests, every element
 * with `data-chart` gets `data-points` (instants or rows drawn) once it shows data, and line charts
 * `data-last-t`, the time (ms) of their newest point.
 */
import { lastValue, layoutLineChart, type LineChartSpec } from './charts.js';
import type { TimeSeries } from './api.js';
import { esc } from './format.js';
import type { TableView, TileView } from './overview.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

function setPoints(el: Element, n: number): void {
  if (n > 0) el.setAttribute('data-points', String(n));
  else el.removeAttribute('data-points');
}

/** The element of `data-chart="<name>"`; the page has one for every chart and table. */
export function chartElement(name: string): HTMLElement {
  return requireElement(`[data-chart="${name}"]`);
}

export function requireElement(selector: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`dashboard: the page has no ${selector}`);
  return el;
}

/** An SVG line chart with a legend of each series' newest value below it. */
export function drawLineChart(el: HTMLElement, spec: LineChartSpec, ts: TimeSeries): void {
  const series = spec.series(ts);
  const layout = layoutLineChart(Math.max(320, el.clientWidth || 600), ts.t, series, { windowSec: ts.window, minMax: spec.minMax });
  const { width, height, plot } = layout;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': spec.title });
  const bottom = plot.top + plot.height;
  const right = plot.left + plot.width;
  for (const tick of layout.yTicks) {
    root.append(svg('line', { class: 'grid-line', x1: plot.left, x2: right, y1: tick.at, y2: tick.at }));
    root.append(svg('text', { class: 'tick', x: plot.left - 6, y: tick.at + 4, 'text-anchor': 'end' }, tick.label));
  }
  for (const tick of layout.xTicks) {
    root.append(svg('line', { class: 'grid-line', x1: tick.at, x2: tick.at, y1: plot.top, y2: bottom }));
    root.append(svg('text', { class: 'tick', x: tick.at, y: bottom + 16, 'text-anchor': 'middle' }, tick.label));
  }
  root.append(svg('line', { class: 'axis-line', x1: plot.left, x2: right, y1: bottom, y2: bottom }));
  root.append(svg('line', { class: 'axis-line', x1: plot.left, x2: plot.left, y1: plot.top, y2: bottom }));
  const axis = svg('g', { class: 'axis' });
  const middle = plot.top + plot.height / 2;
  axis.append(svg('text', { x: 12, y: middle, transform: `rotate(-90 12 ${middle})`, 'text-anchor': 'middle' }, spec.yLabel));
  axis.append(svg('text', { x: right, y: height - 2, 'text-anchor': 'end' }, 'time (local)'));
  root.append(axis);
  for (const line of layout.lines) {
    const attrs: Record<string, string | number> = { d: line.d, fill: 'none', stroke: line.color, 'stroke-width': 2, 'stroke-linejoin': 'round' };
    if (line.dashed) attrs['stroke-dasharray'] = '6 4';
    root.append(svg('path', attrs));
  }
  if (layout.points === 0) {
    root.append(svg('text', { class: 'empty', x: plot.left + plot.width / 2, y: middle, 'text-anchor': 'middle' }, spec.emptyText));
  }

  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const s of series) {
    const item = document.createElement('span');
    item.className = 'item';
    item.innerHTML =
      `<span class="swatch${s.dashed ? ' dashed' : ''}" style="border-color:${esc(s.color)}"></span>` +
      `${esc(s.label)} <span class="val">${esc(spec.format(lastValue(s.values)))}</span>`;
    legend.append(item);
  }
  el.replaceChildren(root, legend);
  setPoints(el, layout.points);
  // data-points stops growing once the history is full; the newest instant drawn keeps moving.
  if (layout.lastT !== null) el.setAttribute('data-last-t', String(layout.lastT));
}

export function drawTable(el: HTMLElement, view: TableView): void {
  const numClass = (i: number): string => (view.head[i]?.num ? ' class="num"' : '');
  let html = `<thead><tr>${view.head.map((h, i) => `<th${numClass(i)}>${esc(h.label)}</th>`).join('')}</tr></thead><tbody>`;
  if (view.rows.length === 0) html += `<tr><td class="none" colspan="${view.head.length}">${esc(view.empty)}</td></tr>`;
  for (const row of view.rows) {
    const cells = row.cells.map((c, i) => `<td${numClass(i)}>${typeof c === 'string' ? esc(c) : c.html}</td>`).join('');
    html += `<tr${row.flag ? ` class="${row.flag}"` : ''}>${cells}</tr>`;
  }
  el.innerHTML = `${html}</tbody>`;
  setPoints(el, view.points ?? view.rows.length);
}

export function drawTile(tile: TileView): void {
  const el = requireElement(`[data-tile="${tile.name}"]`);
  const value = el.querySelector('.value');
  if (value) value.innerHTML = esc(tile.value) + (tile.unit ? `<small>${esc(tile.unit)}</small>` : '');
  el.classList.toggle('bad', tile.bad === true);
}

/** A panel title's big figure (`12 open`), or nothing. */
export function drawHeadline(el: HTMLElement, value: string | null, unit: string): void {
  el.innerHTML = value === null ? '' : `${esc(value)} <small>${esc(unit)}</small>`;
}
