import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  // Fake time: the polling interval and the deadline pass without waiting.
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('returns once the assertion passes', async () => {
    let calls = 0;
    const result = expectEventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return calls;
      },
      { intervalMs: 100 },
    );
    await jest.advanceTimersByTimeAsync(200);
    await expect(result).resolves.toBe(3);
  });

  it('rethrows the last failure after the deadline', async () => {
    const result = expectEventually(
      () => {
        throw new Error('never');
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    const outcome = expect(result).rejects.toThrow('never');
    await jest.advanceTimersByTimeAsync(31_000);
    await outcome;
    expect(Date.now()).toBeLessThanOrEqual(31_000);
  });
});
