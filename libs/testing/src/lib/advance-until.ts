/**
 * The fake-clock counterpart of expectEventually, for unit specs under `jest.useFakeTimers()`:
 * advances the fake clock `stepMs` at a time (running due timers and the promises they settle)
 * until the assertion passes, and returns its result. Fails with the assertion's last error once
 * `maxMs` of fake time has passed. Nothing really waits, so timing cannot make the test flaky.
 */
export async function advanceUntil<T>(assertion: () => T | Promise<T>, { stepMs = 1, maxMs = 60_000 } = {}): Promise<T> {
  for (let elapsed = 0; ; elapsed += stepMs) {
    try {
      return await assertion();
    } catch (error) {
      if (elapsed >= maxMs) throw error;
    }
    await jest.advanceTimersByTimeAsync(stepMs);
  }
}
