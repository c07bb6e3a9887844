import { advanceUntil } from './advance-until';

describe('advanceUntil', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('advances the fake clock until the assertion passes, and no further', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 250);
    await expect(advanceUntil(() => expect(fired).toBe(true))).resolves.toBeUndefined();
    expect(Date.now()).toBe(250);
  });

  it('rethrows the last failure once the fake deadline has passed', async () => {
    await expect(advanceUntil(() => expect(Date.now()).toBeGreaterThan(10_000), { stepMs: 100, maxMs: 1000 })).rejects.toThrow(/toBeGreaterThan/);
    expect(Date.now()).toBe(1000);
  });
});
