import { TokenBucket } from './token-bucket';

function takeAll(bucket: TokenBucket, now: number, attempts: number): number {
  let taken = 0;
  for (let i = 0; i < attempts; i += 1) if (bucket.take(now)) taken += 1;
  return taken;
}

describe('TokenBucket', () => {
  it('allows a full burst at once, then nothing until it refills', () => {
    const bucket = new TokenBucket(20, 40, 0);
    expect(takeAll(bucket, 0, 100)).toBe(40);
    expect(bucket.take(0)).toBe(false);
  });

  it('refills at the rate, one token every 1/rate seconds', () => {
    const bucket = new TokenBucket(20, 40, 0);
    takeAll(bucket, 0, 40);
    expect(bucket.take(49)).toBe(false);
    expect(bucket.take(50)).toBe(true);
    expect(bucket.take(50)).toBe(false);
    expect(takeAll(bucket, 1050, 100)).toBe(20);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const bucket = new TokenBucket(20, 40, 0);
    expect(takeAll(bucket, 3_600_000, 100)).toBe(40);
  });

  it('sustains exactly the rate under constant pressure', () => {
    const bucket = new TokenBucket(10, 5, 0);
    takeAll(bucket, 0, 5);
    let taken = 0;
    for (let now = 1; now <= 10_000; now += 1) if (bucket.take(now)) taken += 1;
    expect(taken).toBe(100);
  });

  it('keeps thousands per second exact, as the handshake limit needs', () => {
    const bucket = new TokenBucket(5_000, 5_000, 0);
    expect(takeAll(bucket, 0, 6_000)).toBe(5_000);
    // Five handshakes a millisecond: a storm of 2,000/s passes, 10,000/s is cut to 5,000/s.
    expect(takeAll(bucket, 1, 100)).toBe(5);
    let taken = 0;
    for (let now = 2; now <= 1_001; now += 1) taken += takeAll(bucket, now, 10);
    expect(taken).toBe(5_000);
  });

  it('treats a clock that goes backwards as no time passing', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(5_000)).toBe(false);
    expect(bucket.take(10_999)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });
});
