/**
 * Polls an assertion until it passes or the deadline passes, then rethrows its last failure.
 * For effects that happen asynchronously in other processes; never a fixed sleep.
 */
export async function expectEventually<T>(assertion: () => T | Promise<T>, { timeoutMs = 30_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
