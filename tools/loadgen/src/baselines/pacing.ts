import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How many of `total` messages are due `elapsedMs` after the start at `ratePerSecond` (message i is
 * due at i / rate seconds, the first at once); all of them when there is no rate (as fast as possible).
 */
export function messagesDue(elapsedMs: number, total: number, ratePerSecond?: number): number {
  if (ratePerSecond === undefined || ratePerSecond <= 0) return total;
  const due = Math.floor((Math.max(0, elapsedMs) * ratePerSecond) / 1000) + 1;
  return Math.min(total, due);
}

/**
 * Sends `total` messages at `ratePerSecond`: on each turn of the event loop, every message due by
 * then goes out (`send(index)`), so a late turn catches up instead of lowering the rate. Without a
 * rate, messages go out in bursts of `burst`, yielding in between so replies can be read.
 * Resolves when the last message was handed to `send`.
 */
export async function pace(total: number, send: (index: number) => void, options: { ratePerSecond?: number; burst?: number; now?: () => number } = {}): Promise<void> {
  const now = options.now ?? (() => performance.now());
  const burst = options.burst ?? 1000;
  const startedAt = now();
  let sent = 0;
  while (sent < total) {
    const due = options.ratePerSecond === undefined ? Math.min(total, sent + burst) : messagesDue(now() - startedAt, total, options.ratePerSecond);
    for (; sent < due; sent += 1) send(sent);
    if (sent < total) await waitForNextSlot(options.ratePerSecond);
  }
}

/**
 * With a rate, a 1 ms timer: busy-waiting on the event loop would take a core from the system
 * under test. Without one, the next turn, just long enough for replies to be read.
 */
async function waitForNextSlot(ratePerSecond: number | undefined): Promise<void> {
  if (ratePerSecond === undefined) await nextTurn();
  else await new Promise((resolve) => setTimeout(resolve, 1));
}
