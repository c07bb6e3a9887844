import { messagesDue, pace } from './pacing';

describe('messagesDue', () => {
  it('makes the first message due at once and one more every 1/rate seconds', () => {
    expect(messagesDue(0, 100, 10)).toBe(1);
    expect(messagesDue(99, 100, 10)).toBe(1);
    expect(messagesDue(100, 100, 10)).toBe(2);
    expect(messagesDue(1000, 100, 10)).toBe(11);
  });

  it('never exceeds the total, and makes everything due without a rate', () => {
    expect(messagesDue(60_000, 100, 10)).toBe(100);
    expect(messagesDue(0, 100)).toBe(100);
    expect(messagesDue(0, 100, 0)).toBe(100);
  });
});

describe('pace', () => {
  it('sends every message once, in order, catching up after a late turn', async () => {
    let clock = 0;
    const sent: number[] = [];
    const perTurn: number[] = [];
    // Each call of the clock is one turn of the loop; the third turn comes 500 ms late.
    const now = () => {
      perTurn.push(sent.length);
      clock += perTurn.length === 3 ? 500 : 10;
      return clock;
    };
    await pace(60, (index) => sent.push(index), { ratePerSecond: 100, now });
    expect(sent).toEqual(Array.from({ length: 60 }, (_, i) => i));
    // At 100/s a 500 ms gap makes 50 messages due at once.
    expect(Math.max(...perTurn.slice(1).map((count, i) => count - perTurn[i]))).toBeGreaterThanOrEqual(49);
  });

  it('sends in bursts without a rate', async () => {
    const sent: number[] = [];
    await pace(2500, (index) => sent.push(index), { burst: 1000 });
    expect(sent).toHaveLength(2500);
    expect(new Set(sent).size).toBe(2500);
  });
});
