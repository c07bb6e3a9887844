/** How the dashboard writes numbers, durations and times. `–` stands for "no value". */

export const NO_VALUE = '–';

type Maybe = number | null | undefined;

export function fmtInt(n: Maybe): string {
  return n === null || n === undefined ? NO_VALUE : Math.round(n).toLocaleString('en-US');
}

/** Per-second rates: one decimal below 100. */
export function fmtRate(n: Maybe): string {
  if (n === null || n === undefined) return NO_VALUE;
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** Milliseconds with three significant digits or so; seconds from 1000 ms. */
export function fmtMs(n: Maybe): string {
  if (n === null || n === undefined) return NO_VALUE;
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)} ms`;
}

/** How long before `now` (both ms since epoch) `at` was. */
export function fmtAgo(at: Maybe, now: number): string {
  if (at === null || at === undefined) return NO_VALUE;
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** HH:MM:SS in the browser's time zone. */
export function fmtClock(t: number): string {
  const d = new Date(t);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * Axis ticks carry the number only (the axis title names the unit), with the decimals the step needs:
 * steps of 2.5 or 0.25 keep theirs (7.5, not 8).
 */
export function fmtTick(value: number, step: number): string {
  const decimals = Math.min(3, String(Number(step.toPrecision(6))).split('.')[1]?.length ?? 0);
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A round step (1, 2, 2.5 or 5 times a power of ten) for about `count` ticks between 0 and `max`. */
export function niceStep(max: number, count: number): number {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  return step * mag;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to put into HTML (element content or a quoted attribute). */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
