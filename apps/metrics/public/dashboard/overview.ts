/**
 * The tiles and tables as data, from `/api/overview`: what each cell says and which rows are
 * flagged. No DOM here; render.ts writes a view into the page.
 */
import type { Overview, SpanLatency } from './api.js';
import { SPAN_LABELS, spanLabel } from './charts.js';
import { esc, fmtAgo, fmtInt, fmtMs, fmtRate, NO_VALUE } from './format.js';

export interface Column {
  label: string;
  /** Right-aligned figures. */
  num?: boolean;
}

/** Text (escaped when written) or markup the dashboard built itself from escaped parts. */
export type Cell = string | { html: string };

export interface Row {
  cells: Cell[];
  /** `missing` or `nonzero`: the row is flagged red. */
  flag?: 'missing' | 'nonzero';
}

export interface TableView {
  head: Column[];
  rows: Row[];
  /** Shown as the only row while there are none. */
  empty: string;
  /** The table's `data-points` when it is not the number of rows. */
  points?: number;
}

/** The `data-tile` names of the tiles, in page order. */
export const TILE_NAMES = ['accepted-rate', 'delivered-rate', 'stored-total', 'connections', 'latency', 'lag', 'dead-letters', 'instances'] as const;
export type TileName = (typeof TILE_NAMES)[number];

/** The `data-chart` names of the tables. */
export const TABLE_NAMES = ['gateways', 'lag-groups', 'latency-table', 'instances', 'dead-letters'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface TileView {
  name: TileName;
  value: string;
  unit?: string;
  bad?: boolean;
}

/** Names of the latency windows the table can show; `1m` until the user picks another. */
export const DEFAULT_LATENCY_WINDOW = '1m';
const END_TO_END_SPAN = 'send_to_delivered';
const LAGGING_PARTITIONS_LISTED = 6;

function stage(o: Overview, name: string): { total: number; perSecond: number } {
  return o.messages.stages.find((s) => s.stage === name) ?? { total: 0, perSecond: 0 };
}

/** The figures along the top. A figure nobody reports yet is `–`, not 0. */
export function tiles(o: Overview): TileView[] {
  const reporting = o.messages.reporting;
  const lagKnown = o.consumerLag.polledAt !== null;
  const e2e = o.latency.spans.find((s) => s.span === END_TO_END_SPAN);
  const missing = o.instances.filter((i) => i.missing).length;
  return [
    { name: 'accepted-rate', value: reporting ? fmtRate(stage(o, 'accepted').perSecond) : NO_VALUE, unit: 'msg/s' },
    { name: 'delivered-rate', value: reporting ? fmtRate(stage(o, 'delivered').perSecond) : NO_VALUE, unit: 'msg/s' },
    { name: 'stored-total', value: reporting ? fmtInt(stage(o, 'stored').total) : NO_VALUE },
    { name: 'connections', value: o.connections.reporting ? fmtInt(o.connections.total) : NO_VALUE },
    { name: 'latency', value: e2e ? fmtMs(e2e.windows['1m']?.p99Ms) : NO_VALUE },
    { name: 'lag', value: lagKnown ? fmtInt(o.consumerLag.total) : NO_VALUE, bad: lagKnown && o.consumerLag.error !== null },
    { name: 'dead-letters', value: lagKnown ? fmtInt(o.deadLetters.total) : NO_VALUE, bad: o.deadLetters.total > 0 },
    { name: 'instances', value: `${o.instances.length - missing} / ${missing}`, bad: missing > 0 },
  ];
}

/** The big figures in the connections and lag panels' titles; null: nothing to show. */
export function headlines(o: Overview): { connections: string | null; lag: string | null } {
  return {
    connections: o.connections.reporting ? fmtInt(o.connections.total) : null,
    lag: o.consumerLag.polledAt !== null ? fmtInt(o.consumerLag.total) : null,
  };
}

export function gatewaysTable(o: Overview): TableView {
  return {
    head: [{ label: 'gateway' }, { label: 'connections', num: true }],
    rows: o.connections.byGateway.map((g) => ({ cells: [g.instanceId, fmtInt(g.connections)] })),
    empty: 'no gateway reporting',
  };
}

/** Most lagging group first; each lists its lagging partitions (the first few). */
export function lagGroupsTable(o: Overview): TableView {
  const groups = [...o.consumerLag.groups].sort((a, b) => b.lag - a.lag || a.groupId.localeCompare(b.groupId));
  return {
    head: [{ label: 'group' }, { label: 'state' }, { label: 'lagging partitions' }, { label: 'lag', num: true }],
    rows: groups.map((g) => {
      const lagging = g.partitions.filter((p) => (p.lag ?? 0) > 0);
      let detail = lagging
        .slice(0, LAGGING_PARTITIONS_LISTED)
        .map((p) => `${esc(p.topic)}[${p.partition}]: ${fmtInt(p.lag)}`)
        .join(', ');
      if (lagging.length > LAGGING_PARTITIONS_LISTED) detail += `, +${lagging.length - LAGGING_PARTITIONS_LISTED} more`;
      return {
        flag: g.lag > 0 ? 'nonzero' : undefined,
        cells: [g.groupId, g.state, { html: `<span class="detail">${detail || 'none'}</span>` }, fmtInt(g.lag)],
      };
    }),
    empty: o.consumerLag.error ? `offsets not readable: ${o.consumerLag.error}` : 'no consumer groups',
  };
}

/**
 * Percentiles per span over one window (10s, 1m, 5m). The known spans are listed before any value
 * arrives; `data-points` counts the spans that have values.
 */
export function latencyTable(o: Overview, window: string): TableView {
  const hasValues = (s: SpanLatency): boolean => s.countSinceStart > 0;
  return {
    head: [
      { label: 'span' },
      ...['count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'since start'].map((label) => ({ label, num: true })),
    ],
    rows: o.latency.spans
      .filter((s) => hasValues(s) || s.span in SPAN_LABELS)
      .map((s) => {
        const w = s.windows[window];
        return {
          cells: [spanLabel(s.span), fmtInt(w?.count ?? 0), fmtMs(w?.p50Ms), fmtMs(w?.p90Ms), fmtMs(w?.p99Ms), fmtMs(w?.p999Ms), fmtMs(w?.maxMs), fmtInt(s.countSinceStart)],
        };
      }),
    empty: 'no spans',
    points: o.latency.spans.filter(hasValues).length,
  };
}

export function instancesTable(o: Overview): TableView {
  return {
    head: [{ label: 'service' }, { label: 'instance' }, { label: 'state' }, { label: 'last heartbeat' }, { label: 'last sample' }],
    rows: o.instances.map((i) => {
      const state = i.missing ? 'missing' : i.ready === true ? 'ready' : 'not_ready';
      return {
        flag: i.missing ? 'missing' : undefined,
        cells: [
          i.service,
          i.instanceId,
          { html: `<span class="badge ${state}">${state.replace('_', ' ')}</span>` },
          fmtAgo(i.lastHeartbeatAt, o.at),
          fmtAgo(i.lastSampleAt, o.at),
        ],
      };
    }),
    empty: 'no instance has reported yet',
  };
}

/** Fullest topic first; a topic holding records is flagged. */
export function deadLettersTable(o: Overview): TableView {
  const topics = [...o.deadLetters.topics].sort((a, b) => b.records - a.records || a.topic.localeCompare(b.topic));
  return {
    head: [{ label: 'topic' }, { label: 'records', num: true }],
    rows: topics.map((t) => ({ flag: t.records > 0 ? 'nonzero' : undefined, cells: [t.topic, fmtInt(t.records)] })),
    empty: o.consumerLag.polledAt !== null ? 'no dead-letter topics' : 'not read yet',
  };
}

/** Every table of the page by its `data-chart` name; `latencyWindow` is the one the user picked. */
export function tables(o: Overview, latencyWindow: string): Record<TableName, TableView> {
  return {
    gateways: gatewaysTable(o),
    'lag-groups': lagGroupsTable(o),
    'latency-table': latencyTable(o, latencyWindow),
    instances: instancesTable(o),
    'dead-letters': deadLettersTable(o),
  };
}

