import { backoffDelay } from './backoff';
import { sleep } from './timing';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1000 };

  it('doubles the ceiling per attempt and stays within [ceiling/2, ceiling]', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 0)).toBe(200);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
  });

  it('never exceeds the maximum, however many attempts', () => {
    for (const attempt of [5, 10, 60, 1000]) expect(backoffDelay(attempt, options, () => 1)).toBeLessThanOrEqual(1000);
  });
});

describe('sleep', () => {
  afterEach(() => jest.useRealTimers());

  it('ends early when its signal aborts', async () => {
    // Fake timers: no time passes unless advanced, so resolving proves the abort ended it.
    jest.useFakeTimers();
    const controller = new AbortController();
    const sleeping = sleep(10_000, controller.signal);
    expect(jest.getTimerCount()).toBe(1);
    controller.abort();
    await sleeping;
    expect(jest.getTimerCount()).toBe(0);
  });
});
