// Test support for the specs of this app; nothing in the service imports it.
/** Polls an assertion until it passes or the deadline passes, then rethrows its last failure; never a fixed sleep. */
export async function expectEventually<T>(assertion: () => T | Promise<T>, { timeoutMs = 5000, intervalMs = 10 } = {}): Promise<T> {
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
