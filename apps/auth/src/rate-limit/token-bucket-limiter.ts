export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface TokenBucketOptions {
  /** Requests allowed per window, which is also the burst a fresh key may spend at once. */
  limit: number;
  windowMs: number;
  /** Keys tracked at most; beyond it the least recently used are forgotten (bounds memory under a flood of IPs). */
  maxKeys?: number;
}

const DEFAULT_MAX_KEYS = 100_000;

/**
 * A token bucket per key (client IP, username): `limit` tokens, one more every `windowMs / limit`.
 * Kept as GCRA (one "bucket is full again at" time per key) instead of a token count, so no
 * fractional tokens drift, and refused attempts cost nothing.
 *
 * In memory, so each replica of the service keeps its own counters: with N replicas behind a load
 * balancer a client gets up to N times the configured rate. That bounds abuse well enough for login
 * and registration; a shared store would make the limit exact.
 */
export class TokenBucketLimiter {
  /** key → the time at which its bucket is full again; absent means full. */
  private readonly fullAt = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly maxKeys: number;
  private lastSweepAt = 0;

  constructor(private readonly options: TokenBucketOptions) {
    if (options.limit < 1 || options.windowMs <= 0) throw new Error('a rate limit needs limit >= 1 and a positive window');
    this.intervalMs = options.windowMs / options.limit;
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  /** Spends one token of `key` if it has one; otherwise tells how long until it will. */
  take(key: string, now: number): TakeResult {
    this.sweep(now);
    const fullAt = Math.max(this.fullAt.get(key) ?? now, now);
    // Spending a token pushes "full again" one interval further; more than a window ahead means empty.
    const next = fullAt + this.intervalMs;
    const allowed = next - now <= this.options.windowMs;
    // Re-inserting keeps the map in least-recently-used order, so a busy (limited) key is the last evicted.
    this.fullAt.delete(key);
    this.evictBeyondCapacity();
    this.fullAt.set(key, allowed ? next : fullAt);
    return allowed ? { allowed: true } : { allowed: false, retryAfterMs: Math.ceil(next - now - this.options.windowMs) };
  }

  /** Gives back one token taken from `key` (an attempt that turned out not to count, e.g. a login that succeeded). */
  refund(key: string, now: number): void {
    const fullAt = this.fullAt.get(key);
    if (fullAt === undefined) return;
    const refunded = fullAt - this.intervalMs;
    if (refunded <= now) this.fullAt.delete(key);
    else this.fullAt.set(key, refunded);
  }

  /** Keys currently tracked (for tests and diagnostics). */
  get size(): number {
    return this.fullAt.size;
  }

  /** Forgets keys whose bucket is full again: they behave exactly like new ones. */
  private sweep(now: number): void {
    if (now - this.lastSweepAt < this.options.windowMs) return;
    this.lastSweepAt = now;
    for (const [key, fullAt] of this.fullAt) {
      if (fullAt <= now) this.fullAt.delete(key);
    }
  }

  /** Makes room for one more key by dropping the least recently used ones. */
  private evictBeyondCapacity(): void {
    for (const key of this.fullAt.keys()) {
      if (this.fullAt.size < this.maxKeys) return;
      this.fullAt.delete(key);
    }
  }
}
