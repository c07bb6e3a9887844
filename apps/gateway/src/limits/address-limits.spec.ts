import { AddressLimits } from './address-limits';

describe('AddressLimits', () => {
  it('counts the sockets each address holds', () => {
    const limits = new AddressLimits({ maxConnections: 2, handshakesPerSecond: 10, handshakeBurst: 10 });
    limits.opened('10.0.0.1');
    expect(limits.atConnectionLimit('10.0.0.1')).toBe(false);
    limits.opened('10.0.0.1');
    expect(limits.atConnectionLimit('10.0.0.1')).toBe(true);
    expect(limits.atConnectionLimit('10.0.0.2')).toBe(false);
    limits.closed('10.0.0.1');
    expect(limits.atConnectionLimit('10.0.0.1')).toBe(false);
    limits.closed('10.0.0.1');
    expect(limits.size.addresses).toBe(0);
  });

  it('gives each address its own handshake bucket: a burst, then its rate', () => {
    const limits = new AddressLimits({ maxConnections: 100, handshakesPerSecond: 2, handshakeBurst: 3 });
    const taken = (address: string, now: number) => Array.from({ length: 5 }, () => limits.takeHandshake(address, now)).filter(Boolean).length;
    expect(taken('10.0.0.1', 0)).toBe(3);
    expect(taken('10.0.0.2', 0)).toBe(3);
    expect(limits.takeHandshake('10.0.0.1', 499)).toBe(false);
    expect(limits.takeHandshake('10.0.0.1', 500)).toBe(true);
  });

  it('forgets buckets that are full again, and bounds how many it keeps', () => {
    const limits = new AddressLimits({ maxConnections: 100, handshakesPerSecond: 1, handshakeBurst: 2, maxAddresses: 3 });
    for (const address of ['a', 'b', 'c', 'd']) limits.takeHandshake(address, 0);
    expect(limits.size.buckets).toBe(3);
    limits.takeHandshake('e', 60_000);
    expect(limits.size.buckets).toBe(1);
  });
});
