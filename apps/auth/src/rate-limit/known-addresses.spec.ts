import { KnownAddresses } from './known-addresses';

const DAY = 24 * 60 * 60 * 1000;

describe('KnownAddresses', () => {
  it('remembers the last five addresses of a username for 30 days', () => {
    const known = new KnownAddresses();
    for (let i = 1; i <= 6; i += 1) known.remember('ann', `10.0.0.${i}`, i);
    expect(known.has('ann', '10.0.0.1', 10)).toBe(false);
    expect(known.has('ann', '10.0.0.6', 10)).toBe(true);
    expect(known.has('bob', '10.0.0.6', 10)).toBe(false);
    expect(known.has('ann', '10.0.0.6', 6 + 30 * DAY)).toBe(false);
  });

  it('bounds the usernames it keeps, forgetting the least recently logged in', () => {
    const known = new KnownAddresses(2);
    known.remember('ann', 'a', 0);
    known.remember('bob', 'b', 0);
    known.remember('ann', 'a', 1);
    known.remember('cat', 'c', 2);
    expect([known.has('ann', 'a', 3), known.has('bob', 'b', 3), known.has('cat', 'c', 3)]).toEqual([true, false, true]);
  });
});
