import { RingBuffer } from './ring-buffer';
import { ClusterSeries, type ClusterPoint } from './cluster-series';

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.latest()).toEqual([]);
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    expect(ring.length).toBe(3);
    expect(ring.latest()).toEqual([3, 4, 5]);
    expect(ring.latest(2)).toEqual([4, 5]);
    expect(ring.latest(10)).toEqual([3, 4, 5]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(/capacity/);
  });
});

function point(t: number, overrides: Partial<ClusterPoint> = {}): ClusterPoint {
  return { t, messagesPerSecond: { accepted: 1 }, connections: 2, latencyMs: {}, consumerLag: 0, deadLetters: 0, ...overrides };
}

describe('ClusterSeries', () => {
  it('answers the requested window as columns, one value per second', () => {
    const series = new ClusterSeries(600);
    for (let i = 0; i < 5; i += 1) series.add(point(i * 1000, { connections: i }));
    const columns = series.columns(3);
    expect(columns).toMatchObject({ intervalMs: 1000, window: 3, t: [2000, 3000, 4000], connections: [2, 3, 4], messagesPerSecond: { accepted: [1, 1, 1] } });
  });

  it('fills null before a stage or span first appeared, so charts show a gap rather than a zero', () => {
    const series = new ClusterSeries(600);
    series.add(point(0));
    series.add(point(1000, { messagesPerSecond: { accepted: 1, stored: 3 }, latencyMs: { send_to_accepted: { p50: 1.5, p99: 4 } } }));
    const columns = series.columns(600);
    expect(columns.window).toBe(2);
    expect(columns.messagesPerSecond).toEqual({ accepted: [1, 1], stored: [null, 3] });
    expect(columns.latencyMs).toEqual({ send_to_accepted: { p50: [null, 1.5], p99: [null, 4] } });
  });

  it('keeps at most its capacity of points', () => {
    const series = new ClusterSeries(60);
    for (let i = 0; i < 100; i += 1) series.add(point(i * 1000));
    expect(series.columns(600).t).toHaveLength(60);
    expect(series.columns(600).t[0]).toBe(40_000);
  });
});
