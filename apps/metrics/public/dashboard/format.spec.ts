import { esc, fmtAgo, fmtClock, fmtInt, fmtMs, fmtRate, fmtTick, niceStep } from './format.js';

describe('dashboard formatting', () => {
  it('writes "no value" as a dash, never as 0', () => {
    for (const format of [fmtInt, fmtRate, fmtMs]) {
      expect(format(null)).toBe('–');
      expect(format(undefined)).toBe('–');
    }
    expect(fmtAgo(null, 0)).toBe('–');
  });

  it('rounds counts and rates to what a reader needs', () => {
    expect(fmtInt(1234567.4)).toBe('1,234,567');
    expect(fmtRate(0)).toBe('0.0');
    expect(fmtRate(12.345)).toBe('12.3');
    expect(fmtRate(1234.5)).toBe('1,235');
  });

  it('writes latencies in ms with about three digits, in seconds from 1 s', () => {
    expect([0.1234, 5, 12.345, 250.4, 999.9, 1500].map(fmtMs)).toEqual(['0.12 ms', '5.00 ms', '12.3 ms', '250 ms', '1000 ms', '1.50 s']);
  });

  it('says how long ago in s, min or h', () => {
    const now = 10_000_000;
    expect(fmtAgo(now - 1_400, now)).toBe('1 s ago');
    expect(fmtAgo(now + 5_000, now)).toBe('0 s ago');
    expect(fmtAgo(now - 89_000, now)).toBe('89 s ago');
    expect(fmtAgo(now - 90_000, now)).toBe('2 min ago');
    expect(fmtAgo(now - 5_400_000, now)).toBe('2 h ago');
  });

  it('writes clock times as HH:MM:SS local time', () => {
    expect(fmtClock(new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe('03:04:05');
    expect(fmtClock(new Date(2026, 0, 2, 23, 59, 59).getTime())).toBe('23:59:59');
  });

  it('picks round axis steps and gives tick labels the decimals the step needs', () => {
    expect([1, 4, 8, 9, 18, 40, 0.03].map((max) => niceStep(max, 4))).toEqual([0.25, 1, 2, 2.5, 5, 10, 0.01]);
    expect(fmtTick(2000, 500)).toBe('2,000');
    expect(fmtTick(7.5, 2.5)).toBe('7.5');
    expect(fmtTick(10, 2.5)).toBe('10.0');
    expect(fmtTick(0.5, 0.25)).toBe('0.50');
    expect(fmtTick(0.3, 0.1)).toBe('0.3');
    expect(fmtTick(0.002, 0.001)).toBe('0.002');
    expect(fmtTick(0.0002, 0.0001)).toBe('0.000');
  });

  it('escapes text for HTML', () => {
    expect(esc(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
    expect(esc(42)).toBe('42');
  });
});
