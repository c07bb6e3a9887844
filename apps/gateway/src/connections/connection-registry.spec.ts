import { randomUUID } from 'node:crypto';
import { ConnectionRegistry, type RegisteredConnection } from './connection-registry';

const alice = randomUUID();
const bob = randomUUID();

function connectionOf(userId: string): RegisteredConnection {
  return { id: randomUUID(), userId };
}

describe('ConnectionRegistry', () => {
  it('keeps every device of a user and finds each socket by id', () => {
    const registry = new ConnectionRegistry<RegisteredConnection>();
    const phone = connectionOf(alice);
    const laptop = connectionOf(alice);
    const other = connectionOf(bob);
    registry.add(phone);
    registry.add(laptop);
    registry.add(other);

    expect(registry.size).toBe(3);
    expect([...registry.connectionsOf(alice)]).toEqual([phone, laptop]);
    expect([...registry.connectionsOf(bob)]).toEqual([other]);
    expect([...registry.connectionsOf(randomUUID())]).toEqual([]);
    expect(registry.get(laptop.id)).toBe(laptop);
    expect(registry.get(randomUUID())).toBeUndefined();
  });

  it('reports the count on every change: first connection 1, last one closing 0', () => {
    const registry = new ConnectionRegistry<RegisteredConnection>();
    const phone = connectionOf(alice);
    const laptop = connectionOf(alice);

    expect(registry.add(phone)).toEqual({ userId: alice, connections: 1 });
    expect(registry.add(laptop)).toEqual({ userId: alice, connections: 2 });
    expect(registry.remove(phone)).toEqual({ userId: alice, connections: 1 });
    expect(registry.remove(laptop)).toEqual({ userId: alice, connections: 0 });
    expect(registry.size).toBe(0);
    expect([...registry.connectionsOf(alice)]).toEqual([]);
  });

  it('ignores a connection removed twice, or one it never held', () => {
    const registry = new ConnectionRegistry<RegisteredConnection>();
    const phone = connectionOf(alice);
    registry.add(phone);
    expect(registry.remove(phone)).toEqual({ userId: alice, connections: 0 });
    expect(registry.remove(phone)).toBeUndefined();
    expect(registry.remove(connectionOf(bob))).toBeUndefined();
  });

  it('refuses to register one connection twice', () => {
    const registry = new ConnectionRegistry<RegisteredConnection>();
    const phone = connectionOf(alice);
    registry.add(phone);
    expect(() => registry.add(phone)).toThrow(/already registered/);
    expect(registry.add(connectionOf(alice)).connections).toBe(2);
  });

  it('hands out a snapshot that survives removals during iteration', () => {
    const registry = new ConnectionRegistry<RegisteredConnection>();
    for (let i = 0; i < 5; i += 1) registry.add(connectionOf(i % 2 ? alice : bob));
    for (const connection of registry.all()) registry.remove(connection);
    expect(registry.size).toBe(0);
  });
});
