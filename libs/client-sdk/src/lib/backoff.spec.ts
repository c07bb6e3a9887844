import { backoffCeiling, reconnectDelay } from './backoff';

const options = { minDelayMs: 100, maxDelayMs: 1000 };

describe('reconnect backoff', () => {
  it('doubles the ceiling per failed attempt up to the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 50, 2000].map((attempt) => backoffCeiling(attempt, options))).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  });

  it('draws uniformly below the ceiling (full jitter)', () => {
    expect(reconnectDelay(0, options, () => 0)).toBe(0);
    expect(reconnectDelay(0, options, () => 0.5)).toBe(50);
    expect(reconnectDelay(2, options, () => 0.5)).toBe(200);
    expect(reconnectDelay(2, options, () => 0.9999)).toBe(399);
    expect(reconnectDelay(30, options, () => 0.9999)).toBe(999);
  });

  it('spreads many clients over the whole window', () => {
    const delays = Array.from({ length: 2000 }, () => reconnectDelay(3, options));
    expect(Math.min(...delays)).toBeLessThan(100);
    expect(Math.max(...delays)).toBeGreaterThan(700);
    expect(Math.max(...delays)).toBeLessThan(800);
  });

  it('waits longer, and at least half the raised ceiling, when the server is busy', () => {
    // attempt 0 busy: ceiling 100·2³ = 800, delay in [400, 800).
    expect(reconnectDelay(0, options, () => 0, true)).toBe(400);
    expect(reconnectDelay(0, options, () => 0.9999, true)).toBe(799);
    expect(reconnectDelay(5, options, () => 0, true)).toBe(500);
  });
});
