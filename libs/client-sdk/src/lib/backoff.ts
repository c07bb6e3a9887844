export interface ReconnectOptions {
  /** Ceiling of the first retry's delay; doubles per failed attempt. */
  minDelayMs: number;
  /** Upper bound of every delay. */
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { minDelayMs: 250, maxDelayMs: 30_000 };

/** Extra doublings when the server said "try again later" (1013): it is full, so stay away longer. */
const BUSY_EXTRA_DOUBLINGS = 3;

/** The exponential ceiling of attempt `attempt` (0 = first retry): min·2^attempt, capped at max. */
export function backoffCeiling(attempt: number, { minDelayMs, maxDelayMs }: ReconnectOptions): number {
  // 2 ** 1100 is Infinity, which Math.min caps; negative attempts count as the first.
  return Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(0, attempt));
}

/**
 * Delay before reconnect attempt `attempt`, with full jitter (uniform in [0, ceiling)) so that
 * thousands of clients dropped at once by a gateway restart do not come back in lockstep. A busy
 * server gets a higher ceiling and at least half of it ("equal jitter"), so clients really back off.
 */
export function reconnectDelay(attempt: number, options: ReconnectOptions, random: () => number = Math.random, busy = false): number {
  if (!busy) return Math.floor(random() * backoffCeiling(attempt, options));
  const ceiling = backoffCeiling(attempt + BUSY_EXTRA_DOUBLINGS, options);
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}
