import type { TimeSeries } from './api.js';
import { instantsWithData, lastValue, latencySeries, layoutLineChart, LINE_CHARTS, throughputSeries } from './charts.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function timeSeries(values: Partial<TimeSeries> = {}): TimeSeries {
  return {
    window: 3,
    t: [T0, T0 + 1000, T0 + 2000],
    messagesPerSecond: {},
    connections: [null, null, null],
    latencyMs: {},
    consumerLag: [null, null, null],
    deadLetters: [null, null, null],
    ...values,
  };
}

describe('dashboard chart series', () => {
  it('draws one line per stage, in the order reported, known stages in their own colors', () => {
    const series = throughputSeries(timeSeries({ messagesPerSecond: { accepted: [1, 2, 3], delivered: [null, 1, 2], custom: [0, 0, 0] } }));
    expect(series.map((s) => [s.label, s.color])).toEqual([
      ['accepted', '#2b6cb0'],
      ['delivered', '#dd6b20'],
      ['custom', '#975a16'],
    ]);
  });

  it('draws p50 solid and p99 dashed per span, with the span named for people', () => {
    const series = latencySeries(timeSeries({ latencyMs: { send_to_delivered: { p50: [1, 2, 3], p99: [4, 5, 6] }, other: { p50: [], p99: [] } } }));
    expect(series.map((s) => ({ label: s.label, dashed: s.dashed === true, color: s.color }))).toEqual([
      { label: 'send → delivered p50', dashed: false, color: '#c53030' },
      { label: 'send → delivered p99', dashed: true, color: '#c53030' },
      { label: 'other p50', dashed: false, color: '#319795' },
      { label: 'other p99', dashed: true, color: '#319795' },
    ]);
  });

  it('counts the instants where some line has a value (the charts\' data-points)', () => {
    const ts = timeSeries({ connections: [null, 4, 5], consumerLag: [null, null, 0], deadLetters: [null, 1, null] });
    const points = Object.fromEntries(LINE_CHARTS.map((chart) => [chart.name, instantsWithData(ts.t, chart.series(ts))]));
    expect(points).toEqual({ throughput: 0, latency: 0, connections: 2, lag: 2 });
  });

  it('takes the newest value of a line for its legend, skipping gaps', () => {
    expect(lastValue([1, 2, null])).toBe(2);
    expect(lastValue([null, null])).toBeNull();
    expect(lastValue([])).toBeNull();
  });
});

describe('dashboard line chart layout', () => {
  const width = 672; // plot 600 wide, from x = 58

  it('spans at least one minute up to the newest instant, with y from 0 to a round step above the largest value', () => {
    const t = [T0 - 60_000, T0 - 30_000, T0];
    const layout = layoutLineChart(width, t, [{ label: 'a', color: '#000', values: [0, 9, 18] }], { windowSec: 3 });
    expect(layout.plot).toEqual({ left: 58, top: 12, width: 600, height: 194 });
    expect(layout.yTicks.map((tick) => tick.label)).toEqual(['0', '5', '10', '15', '20']);
    // One minute: a tick every 15 s.
    expect(layout.xTicks.map((tick) => tick.at)).toEqual([58, 208, 358, 508, 658]);
    // x: left edge, middle, right edge; y: bottom (206) for 0, 18/20 of the way up for 18.
    expect(layout.lines).toEqual([{ d: 'M58.0 206.0 L358.0 118.7 L658.0 31.4', color: '#000', dashed: false }]);
    expect({ points: layout.points, lastT: layout.lastT }).toEqual({ points: 3, lastT: T0 });
  });

  it('leaves gaps for missing values, and drops instants older than the window', () => {
    const t = [T0 - 120_000, T0 - 2000, T0 - 1000, T0];
    const layout = layoutLineChart(width, t, [{ label: 'a', color: '#000', values: [5, 1, null, 1], dashed: true }], { windowSec: 60 });
    expect(layout.lines).toHaveLength(1);
    expect(layout.lines[0]?.d.match(/M/g)).toHaveLength(2);
    expect(layout.lines[0]?.d).not.toContain('L');
    expect(layout.lines[0]?.dashed).toBe(true);
  });

  it('keeps a y axis (up to minMax) and no line while there is no data', () => {
    const layout = layoutLineChart(width, [], [{ label: 'a', color: '#000', values: [] }], { windowSec: 600, minMax: 5, now: T0 });
    expect(layout.lines).toEqual([]);
    expect(layout.points).toBe(0);
    expect(layout.lastT).toBeNull();
    expect(layout.yTicks.map((tick) => tick.label)).toEqual(['0', '2', '4', '6']);
    // Ten minutes of history, both ends on a whole minute: a tick every two minutes.
    expect(layout.xTicks).toHaveLength(6);
  });
});
