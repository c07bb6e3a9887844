/** Styles of the dashboard page (served as /dashboard/dashboard.css). */
export const DASHBOARD_CSS = `
:root {
  --bg: #f4f6f9; --panel: #ffffff; --ink: #1b2330; --muted: #5f6b7a; --line: #dde3ea; --grid: #edf0f4;
  --ok: #1f8a4c; --warn: #b7791f; --bad: #c53030; --bad-bg: #fdecec;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font-size: 14px; }
header { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; background: #1b2330; color: #fff; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header .status { font-size: 13px; padding: 2px 10px; border-radius: 10px; background: #3a4556; }
header .status[data-status="live"] { background: var(--ok); }
header .status[data-status="error"] { background: var(--bad); }
header .updated { color: #b8c2d0; font-size: 13px; margin-left: auto; }
main { padding: 16px 24px 32px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; margin-bottom: 16px; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { white-space: nowrap; font-size: 28px; font-weight: 650; line-height: 1.15; margin-top: 4px; font-variant-numeric: tabular-nums; }
.tile .value small { font-size: 14px; font-weight: 500; color: var(--muted); margin-left: 4px; }
.tile .sub { color: var(--muted); font-size: 12px; margin-top: 2px; }
.tile.bad .value { color: var(--bad); }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
@media (max-width: 1100px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
.panel.wide { grid-column: 1 / -1; }
.panel h2 { margin: 0 0 8px; font-size: 16px; font-weight: 600; display: flex; align-items: baseline; gap: 10px; }
.panel h2 small { color: var(--muted); font-weight: 400; font-size: 12px; }
.panel h2 .now { margin-left: auto; font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.panel h2 .now small { font-size: 12px; }
.chart svg { display: block; width: 100%; height: 240px; }
.chart .axis text, .chart text.tick { fill: var(--muted); font-size: 11px; }
.chart .grid-line { stroke: var(--grid); stroke-width: 1; }
.chart .axis-line { stroke: #b9c2cd; stroke-width: 1; }
.chart .empty { fill: var(--muted); font-size: 13px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin-top: 6px; font-size: 12px; }
.legend .item { display: inline-flex; align-items: center; gap: 6px; white-space: nowrap; }
.legend .swatch { width: 18px; height: 0; border-top: 3px solid; }
.legend .swatch.dashed { border-top-style: dashed; }
.legend .val { font-weight: 650; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; margin-top: 8px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.missing td { background: var(--bad-bg); color: var(--bad); font-weight: 600; }
tr.nonzero td { color: var(--bad); font-weight: 600; }
td.none { color: var(--muted); font-style: italic; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 9px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.ready { background: var(--ok); }
.badge.not_ready { background: var(--warn); }
.badge.missing { background: var(--bad); }
.detail { color: var(--muted); font-size: 12px; }
.windows { margin-left: auto; display: inline-flex; gap: 4px; }
.windows button { border: 1px solid var(--line); background: #fff; border-radius: 5px; padding: 2px 8px; font-size: 12px; cursor: pointer; }
.windows button[aria-pressed="true"] { background: #1b2330; color: #fff; border-color: #1b2330; }
`;
