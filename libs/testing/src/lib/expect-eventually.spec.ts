import { expectEventually } from './expect-eventually';

describe('expectEventually', () => {
  it('returns once the assertion passes', async () => {
    let calls = 0;
    await expect(expectEventually(() => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
      return calls;
    }, { intervalMs: 1 })).resolves.toBe(3);
  });

  it('rethrows the last failure after the deadline', async () => {
    await expect(expectEventually(() => { throw new Error('never'); }, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow('never');
  });
});
