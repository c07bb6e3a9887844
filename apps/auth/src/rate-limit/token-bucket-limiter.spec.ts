import { TokenBucketLimiter } from './token-bucket-limiter';

const MINUTE = 60_000;

describe('TokenBucketLimiter', () => {
  it('allows a burst of the limit, then refuses with the time until the next token', () => {
    const limiter = new TokenBucketLimiter({ limit: 10, windowMs: MINUTE });
    for (let i = 0; i < 10; i += 1) expect(limiter.take('10.0.0.1', 0)).toEqual({ allowed: true });
    expect(limiter.take('10.0.0.1', 0)).toEqual({ allowed: false, retryAfterMs: 6000 });
    expect(limiter.take('10.0.0.1', 4000)).toEqual({ allowed: false, retryAfterMs: 2000 });
  });

  it('refills continuously at limit per window', () => {
    const limiter = new TokenBucketLimiter({ limit: 10, windowMs: MINUTE });
    for (let i = 0; i < 10; i += 1) limiter.take('k', 0);
    expect(limiter.take('k', 5999).allowed).toBe(false);
    expect(limiter.take('k', 6000).allowed).toBe(true);
    expect(limiter.take('k', 6000).allowed).toBe(false);
    // A full window later the whole burst is back, never more.
    for (let i = 0; i < 10; i += 1) expect(limiter.take('k', 10 * MINUTE).allowed).toBe(true);
    expect(limiter.take('k', 10 * MINUTE).allowed).toBe(false);
  });

  it('keeps keys apart', () => {
    const limiter = new TokenBucketLimiter({ limit: 1, windowMs: MINUTE });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  it('does not count refused attempts against the key', () => {
    const limiter = new TokenBucketLimiter({ limit: 2, windowMs: 2000 });
    limiter.take('k', 0);
    limiter.take('k', 0);
    for (let t = 0; t < 1000; t += 100) expect(limiter.take('k', t).allowed).toBe(false);
    expect(limiter.take('k', 1000).allowed).toBe(true);
  });

  it('forgets fully refilled keys and bounds the number of keys', () => {
    const limiter = new TokenBucketLimiter({ limit: 5, windowMs: MINUTE, maxKeys: 3 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);
    limiter.take('d', 0);
    expect(limiter.size).toBe(3);
    limiter.take('e', 2 * MINUTE);
    expect(limiter.size).toBe(1);
  });

  it('evicts the least recently used key when full', () => {
    const limiter = new TokenBucketLimiter({ limit: 1, windowMs: MINUTE, maxKeys: 2 });
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('a', 1);
    limiter.take('c', 2);
    // 'a' was used last (even though refused), so 'b' made room for 'c' and is fresh again.
    expect(limiter.take('a', 3).allowed).toBe(false);
    expect(limiter.take('b', 3).allowed).toBe(true);
  });
});

describe('TokenBucketLimiter.refund', () => {
  it('gives a spent token back, so an attempt that did not count leaves the key as it was', () => {
    const limiter = new TokenBucketLimiter({ limit: 2, windowMs: MINUTE });
    for (let i = 0; i < 10; i += 1) {
      expect(limiter.take('k', 0).allowed).toBe(true);
      limiter.refund('k', 0);
    }
    expect(limiter.size).toBe(0);
    limiter.take('k', 0);
    limiter.take('k', 0);
    expect(limiter.take('k', 0).allowed).toBe(false);
    limiter.refund('k', 0);
    expect(limiter.take('k', 0).allowed).toBe(true);
  });
});
