/**
 * Message bodies that carry their send time, so any process on this machine can measure
 * send → delivered without matching messages across processes:
 * `lg <tag> <wall-clock ms with µs> <padding>`. Every process shares the system clock.
 */

/** Wall clock in milliseconds with sub-millisecond resolution. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

const PREFIX = 'lg ';

export function timedBody(tag: string, sentAt: number, bytes: number): string {
  const bare = `${PREFIX}${tag} ${sentAt.toFixed(3)}`;
  return bytes > bare.length + 1 ? `${bare} ${'x'.repeat(bytes - bare.length - 1)}` : bare;
}

/** The send time of a body made by timedBody, or undefined for any other body. */
export function sentAtOf(body: string): number | undefined {
  if (!body.startsWith(PREFIX)) return undefined;
  const start = body.indexOf(' ', PREFIX.length);
  if (start < 0) return undefined;
  const end = body.indexOf(' ', start + 1);
  const value = Number(body.slice(start + 1, end < 0 ? undefined : end));
  return Number.isFinite(value) ? value : undefined;
}
