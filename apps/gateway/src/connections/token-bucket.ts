/** Tokens are counted in thousandths, so integer milliseconds times a rate per second stay exact. */
const SCALE = 1000;

/**
 * Per-connection rate limit: `ratePerSecond` frames on average, `burst` at once. Starts full, so a
 * client that just connected can send its catch-up requests (sync, list) without waiting.
 */
export class TokenBucket {
  private milliTokens: number;
  private refilledAt: number;
  private readonly capacity: number;

  constructor(
    private readonly ratePerSecond: number,
    burst: number,
    now: number,
  ) {
    if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1 || !Number.isInteger(burst) || burst < 1) {
      throw new Error('TokenBucket: rate and burst must be positive integers');
    }
    this.capacity = burst * SCALE;
    this.milliTokens = this.capacity;
    this.refilledAt = now;
  }

  /** Takes one token if there is one; false means the frame is over the limit. */
  take(now: number): boolean {
    this.refill(Math.floor(now));
    if (this.milliTokens < SCALE) return false;
    this.milliTokens -= SCALE;
    return true;
  }

  private refill(now: number): void {
    // A clock that went backwards refills nothing, instead of draining the bucket.
    if (now <= this.refilledAt) return;
    this.milliTokens = Math.min(this.capacity, this.milliTokens + (now - this.refilledAt) * this.ratePerSecond);
    this.refilledAt = now;
  }
}
