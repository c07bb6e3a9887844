import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs on its interval, at once when asked, and not after stop', async () => {
    let runs = 0;
    const task = new PeriodicTask(() => void (runs += 1), { intervalMs: 1000, onError: () => undefined });
    task.start({ runNow: true });
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(2000);
    expect(runs).toBe(3);
    await task.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(3);
  });

  it('skips ticks while a run is in progress instead of stacking them, and stop waits for that run', async () => {
    let started = 0;
    let finish: () => void = () => undefined;
    const task = new PeriodicTask(
      () => {
        started += 1;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      { intervalMs: 100, onError: () => undefined },
    );
    task.start();
    await jest.advanceTimersByTimeAsync(1000);
    expect(started).toBe(1);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('reports a failing run and runs again on schedule', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const task = new PeriodicTask(
      async () => {
        runs += 1;
        throw new Error(`run ${runs} failed`);
      },
      { intervalMs: 50, onError: (error) => errors.push(error) },
    );
    task.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(errors.map((error) => (error as Error).message)).toEqual(['run 1 failed', 'run 2 failed']);
    await task.stop();
  });
});
