import { build, type Histogram } from 'hdr-histogram-js';
import { LatencyWindows } from './latency-windows';

function histogramOf(microseconds: number[]): Histogram {
  const histogram = build();
  for (const value of microseconds) histogram.recordValue(value);
  return histogram;
}

const NOW = 1_767_225_600_000;

describe('LatencyWindows', () => {
  it('merges deltas from several instances into one window and reads percentiles from the sum', () => {
    const windows = new LatencyWindows();
    // 90 fast values on one instance, 10 slow ones on another: p50 fast, p99 slow.
    windows.record('send_to_delivered', NOW - 1000, histogramOf(Array.from({ length: 90 }, () => 2000)), NOW);
    windows.record('send_to_delivered', NOW - 500, histogramOf(Array.from({ length: 10 }, () => 50_000)), NOW);
    const summary = windows.summary('send_to_delivered', '10s', NOW);
    expect(summary.count).toBe(100);
    expect(summary.p50Ms).toBeCloseTo(2, 1);
    expect(summary.p90Ms).toBeCloseTo(2, 1);
    expect(summary.p99Ms).toBeCloseTo(50, 0);
    expect(summary.maxMs).toBeCloseTo(50, 0);
  });

  it('slides: values leave a window once older than it, and stay in the longer ones', () => {
    const windows = new LatencyWindows();
    windows.record('accepted_to_stored', NOW, histogramOf([1000, 3000]), NOW);
    expect(windows.summary('accepted_to_stored', '10s', NOW + 5_000).count).toBe(2);
    expect(windows.summary('accepted_to_stored', '10s', NOW + 11_000)).toEqual({ count: 0, p50Ms: null, p90Ms: null, p99Ms: null, p999Ms: null, maxMs: null });
    expect(windows.summary('accepted_to_stored', '1m', NOW + 11_000).count).toBe(2);
    expect(windows.summary('accepted_to_stored', '5m', NOW + 70_000).count).toBe(2);
    expect(windows.summary('accepted_to_stored', '5m', NOW + 320_000).count).toBe(0);
    expect(windows.countSinceStart('accepted_to_stored')).toBe(2);
  });

  it('counts every value since start, also deltas too old for any window', () => {
    const windows = new LatencyWindows();
    windows.record('send_to_accepted', NOW - 600_000, histogramOf([100, 200, 300]), NOW);
    expect(windows.countSinceStart('send_to_accepted')).toBe(3);
    expect(windows.summary('send_to_accepted', '5m', NOW).count).toBe(0);
  });

  it('places a delta stamped in the future (a fast clock elsewhere) at now', () => {
    const windows = new LatencyWindows();
    windows.record('send_to_accepted', NOW + 60_000, histogramOf([100]), NOW);
    expect(windows.summary('send_to_accepted', '10s', NOW + 9_000).count).toBe(1);
    expect(windows.summary('send_to_accepted', '10s', NOW + 11_000).count).toBe(0);
  });

  it('recomputes a cached summary when new values arrive within the same second', () => {
    const windows = new LatencyWindows();
    windows.record('send_to_accepted', NOW, histogramOf([100]), NOW);
    expect(windows.summary('send_to_accepted', '10s', NOW).count).toBe(1);
    windows.record('send_to_accepted', NOW, histogramOf([100]), NOW);
    expect(windows.summary('send_to_accepted', '10s', NOW).count).toBe(2);
  });

  it('answers an empty summary for an unknown span or window', () => {
    const windows = new LatencyWindows();
    expect(windows.summary('nope', '10s', NOW).count).toBe(0);
    windows.record('send_to_accepted', NOW, histogramOf([100]), NOW);
    expect(windows.summary('send_to_accepted', '1h', NOW).count).toBe(0);
  });
});
