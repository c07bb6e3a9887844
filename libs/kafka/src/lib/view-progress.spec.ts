import { ViewProgress, type PartitionEnd } from './view-progress';

const end = (partition: number, low: string, high: string, topic = 'chat.presence'): PartitionEnd => ({ topic, partition, low, high });

describe('ViewProgress', () => {
  it('applies each offset once, so a replay from the start cannot take a view back in time', () => {
    const progress = new ViewProgress();
    expect(progress.advance('t', 0, '0')).toBe(true);
    expect(progress.advance('t', 0, '1')).toBe(true);
    expect(progress.advance('t', 0, '0')).toBe(false);
    expect(progress.advance('t', 0, '1')).toBe(false);
    expect(progress.advance('t', 1, '0')).toBe(true);
    expect(progress.advance('u', 0, '0')).toBe(true);
    // Compaction leaves gaps; offsets only need to grow.
    expect(progress.advance('t', 0, '9')).toBe(true);
  });

  it('has reached the ends once the last record of every non-empty partition is applied', () => {
    const progress = new ViewProgress();
    const ends = [end(0, '0', '3'), end(1, '5', '5'), end(2, '0', '1')];
    expect(progress.lagging(ends)).toEqual([
      { topic: 'chat.presence', partition: 0, applied: null, high: '3' },
      { topic: 'chat.presence', partition: 2, applied: null, high: '1' },
    ]);
    progress.advance('chat.presence', 0, '2');
    expect(progress.reached(ends)).toBe(false);
    progress.advance('chat.presence', 2, '0');
    expect(progress.reached(ends)).toBe(true);
    expect(progress.reached([])).toBe(true);
  });

  it('wakes a waiter when its ends are reached, and only then', async () => {
    const progress = new ViewProgress();
    let woken = false;
    const waiting = progress.waitFor([end(0, '0', '2')]).then(() => (woken = true));
    progress.advance('chat.presence', 0, '0');
    progress.notify();
    await Promise.resolve();
    expect(woken).toBe(false);
    progress.advance('chat.presence', 0, '1');
    progress.notify();
    await waiting;
    expect(woken).toBe(true);
    await expect(progress.waitFor([end(0, '0', '2')])).resolves.toBeUndefined();
  });

  it('gives up waiting when the signal aborts or the time runs out', async () => {
    const progress = new ViewProgress();
    const controller = new AbortController();
    const waiting = progress.waitFor([end(0, '0', '2')], { signal: controller.signal });
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    // Fake time: the deadline passes without waiting for it.
    jest.useFakeTimers();
    const timingOut = progress.waitFor([end(0, '0', '2')], { timeoutMs: 30_000 });
    jest.advanceTimersByTime(29_999);
    progress.notify();
    jest.advanceTimersByTime(1);
    await expect(timingOut).rejects.toThrow(/within 30000 ms/);
    jest.useRealTimers();
    // The waiters that gave up are gone: later progress does not touch them.
    progress.advance('chat.presence', 0, '1');
    expect(() => progress.notify()).not.toThrow();
    await expect(progress.waitFor([end(0, '0', '2')], { signal: AbortSignal.abort() })).resolves.toBeUndefined();
  });
});
