import { UserFrameLimits } from './user-frame-limits';

describe('UserFrameLimits', () => {
  it('shares one bucket between the sockets of a user, and forgets it with the last one', () => {
    const limits = new UserFrameLimits(1, 3);
    const phone = limits.acquire('alice', 0);
    const laptop = limits.acquire('alice', 0);
    expect(laptop).toBe(phone);
    expect([phone.take(0), laptop.take(0), phone.take(0), laptop.take(0)]).toEqual([true, true, true, false]);
    expect(limits.acquire('bob', 0)).not.toBe(phone);
    limits.release('alice');
    expect(limits.size).toBe(2);
    limits.release('alice');
    limits.release('bob');
    expect(limits.size).toBe(0);
  });
});
