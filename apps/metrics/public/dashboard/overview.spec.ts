import type { GroupLag, Overview } from './api.js';
import { deadLettersTable, headlines, instancesTable, lagGroupsTable, latencyTable, tables, TABLE_NAMES, tiles } from './overview.js';

const AT = 1_000_000;

function overview(changes: Partial<Overview> = {}): Overview {
  return {
    at: AT,
    messages: { reporting: false, stages: [] },
    connections: { reporting: false, total: 0, byGateway: [] },
    latency: { windows: ['10s', '1m', '5m'], spans: [] },
    consumerLag: { polledAt: null, error: null, total: 0, groups: [] },
    deadLetters: { total: 0, topics: [] },
    instances: [],
    ...changes,
  };
}

const summary = (p99Ms: number | null, count = 1) => ({ count, p50Ms: 1, p90Ms: 2, p99Ms, p999Ms: 4, maxMs: 5 });

describe('dashboard tiles', () => {
  it('shows a dash for every figure nobody reports yet', () => {
    expect(tiles(overview()).map((t) => [t.name, t.value, t.bad === true])).toEqual([
      ['accepted-rate', '–', false],
      ['delivered-rate', '–', false],
      ['stored-total', '–', false],
      ['connections', '–', false],
      ['latency', '–', false],
      ['lag', '–', false],
      ['dead-letters', '–', false],
      ['instances', '0 / 0', false],
    ]);
    expect(headlines(overview())).toEqual({ connections: null, lag: null });
  });

  it('shows the current figures, and flags lag errors, dead letters and missing instances', () => {
    const o = overview({
      messages: { reporting: true, stages: [{ stage: 'accepted', total: 10, perSecond: 2.25 }, { stage: 'stored', total: 12345, perSecond: 1 }] },
      connections: { reporting: true, total: 7, byGateway: [] },
      latency: { windows: ['1m'], spans: [{ span: 'send_to_delivered', countSinceStart: 3, windows: { '1m': summary(12.5) } }] },
      consumerLag: { polledAt: AT, error: 'broker down', total: 40, groups: [] },
      deadLetters: { total: 2, topics: [] },
      instances: [
        { service: 'gateway', instanceId: 'gw-1', ready: true, lastHeartbeatAt: AT, lastSampleAt: AT, missing: false },
        { service: 'gateway', instanceId: 'gw-2', ready: true, lastHeartbeatAt: AT, lastSampleAt: AT, missing: true },
      ],
    });
    expect(tiles(o).map((t) => [t.name, t.value, t.unit ?? '', t.bad === true])).toEqual([
      ['accepted-rate', '2.3', 'msg/s', false],
      // A stage no instance counted yet is 0 once messages are reported at all.
      ['delivered-rate', '0.0', 'msg/s', false],
      ['stored-total', '12,345', '', false],
      ['connections', '7', '', false],
      ['latency', '12.5 ms', '', false],
      ['lag', '40', '', true],
      ['dead-letters', '2', '', true],
      ['instances', '1 / 1', '', true],
    ]);
    expect(headlines(o)).toEqual({ connections: '7', lag: '40' });
  });
});

describe('dashboard tables', () => {
  const group = (groupId: string, lags: (number | null)[]): GroupLag => ({
    groupId,
    state: 'Stable',
    lag: lags.reduce<number>((sum, lag) => sum + (lag ?? 0), 0),
    partitions: lags.map((lag, partition) => ({ topic: 'chat.<commands>', partition, lag })),
  });

  it('lists the most lagging group first, with its first lagging partitions (names escaped)', () => {
    const view = lagGroupsTable(overview({ consumerLag: { polledAt: AT, error: null, total: 0, groups: [group('b', [0]), group('a', [0, null]), group('c', [1, 0, 2, 1, 1, 1, 1, 1])] } }));
    expect(view.rows.map((r) => [r.cells[0], r.flag])).toEqual([
      ['c', 'nonzero'],
      ['a', undefined],
      ['b', undefined],
    ]);
    expect(view.rows[0]?.cells[2]).toEqual({
      html: '<span class="detail">chat.&lt;commands&gt;[0]: 1, chat.&lt;commands&gt;[2]: 2, chat.&lt;commands&gt;[3]: 1, chat.&lt;commands&gt;[4]: 1, chat.&lt;commands&gt;[5]: 1, chat.&lt;commands&gt;[6]: 1, +1 more</span>',
    });
    expect(view.rows[1]?.cells[2]).toEqual({ html: '<span class="detail">none</span>' });
  });

  it('says why there are no groups', () => {
    expect(lagGroupsTable(overview()).empty).toBe('no consumer groups');
    expect(lagGroupsTable(overview({ consumerLag: { polledAt: null, error: 'timeout', total: 0, groups: [] } })).empty).toBe('offsets not readable: timeout');
  });

  it('lists the known spans before any value, in the chosen window, and counts spans with values as its points', () => {
    const o = overview({
      latency: {
        windows: ['10s', '1m'],
        spans: [
          { span: 'send_to_accepted', countSinceStart: 0, windows: {} },
          { span: 'unknown_span', countSinceStart: 0, windows: {} },
          { span: 'send_to_delivered', countSinceStart: 9, windows: { '10s': summary(null, 0), '1m': summary(3, 9) } },
        ],
      },
    });
    const view = latencyTable(o, '1m');
    expect(view.rows.map((r) => r.cells)).toEqual([
      ['send → accepted', '0', '–', '–', '–', '–', '–', '0'],
      ['send → delivered', '9', '1.00 ms', '2.00 ms', '3.00 ms', '4.00 ms', '5.00 ms', '9'],
    ]);
    expect(view.points).toBe(1);
    expect(latencyTable(o, '10s').rows[1]?.cells.slice(1, 5)).toEqual(['0', '1.00 ms', '2.00 ms', '–']);
  });

  it('flags missing instances and says how long ago each was heard from', () => {
    const view = instancesTable(
      overview({
        instances: [
          { service: 'router', instanceId: 'r-1', ready: null, lastHeartbeatAt: null, lastSampleAt: AT - 3000, missing: false },
          { service: 'auth', instanceId: 'a-1', ready: true, lastHeartbeatAt: AT - 120_000, lastSampleAt: null, missing: true },
        ],
      }),
    );
    expect(view.rows).toEqual([
      { flag: undefined, cells: ['router', 'r-1', { html: '<span class="badge not_ready">not ready</span>' }, '–', '3 s ago'] },
      { flag: 'missing', cells: ['auth', 'a-1', { html: '<span class="badge missing">missing</span>' }, '2 min ago', '–'] },
    ]);
  });

  it('lists the fullest dead-letter topic first and flags non-empty ones', () => {
    const topics = [
      { topic: 'b.dlq', records: 0 },
      { topic: 'a.dlq', records: 0 },
      { topic: 'c.dlq', records: 3 },
    ];
    expect(deadLettersTable(overview({ deadLetters: { total: 3, topics } })).rows).toEqual([
      { flag: 'nonzero', cells: ['c.dlq', '3'] },
      { flag: undefined, cells: ['a.dlq', '0'] },
      { flag: undefined, cells: ['b.dlq', '0'] },
    ]);
    expect(deadLettersTable(overview()).empty).toBe('not read yet');
    expect(deadLettersTable(overview({ consumerLag: { polledAt: AT, error: null, total: 0, groups: [] } })).empty).toBe('no dead-letter topics');
  });

  it('has a view for every table of the page', () => {
    expect(Object.keys(tables(overview(), '1m')).sort()).toEqual([...TABLE_NAMES].sort());
  });
});
