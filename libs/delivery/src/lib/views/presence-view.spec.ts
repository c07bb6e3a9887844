import { randomUUID } from 'node:crypto';
import { PresenceView, type GatewayLease, type PresenceValue } from './presence-view';

const alice = randomUUID();
const bob = randomUUID();
const TTL = 15_000;
const PRUNE = { zeroRetentionMs: 60_000, deadGatewayRetentionMs: 600_000 };

/** A presence topic in miniature: offsets per partition, so records look like the real ones. */
class PresenceLog {
  private readonly next = new Map<number, number>();

  constructor(readonly view = new PresenceView()) {}

  /** Applies a record; `connections: null` is a tombstone. Returns its offset. */
  write(gatewayId: string, userId: string, connections: number | null, options: { at: number; startedAt?: number; partition?: number; now?: number }): string {
    const partition = options.partition ?? 0;
    const offset = String(this.next.get(partition) ?? 0);
    this.next.set(partition, Number(offset) + 1);
    const value: PresenceValue | null = connections === null ? null : { connections, at: options.at, gatewayStartedAt: options.startedAt ?? 1 };
    this.view.applyPresence(gatewayId, userId, value, { partition, offset, timestamp: options.at }, options.now ?? options.at);
    return offset;
  }

  lease(gatewayId: string, lease: Partial<GatewayLease> & { at: number }, now = lease.at) {
    return this.view.applyLease(gatewayId, { startedAt: 1, ttlMs: TTL, ...lease }, lease.at, now);
  }
}

describe('PresenceView', () => {
  describe('counting connections', () => {
    it('routes to every gateway where the user has sockets, and nowhere once they are gone', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.lease('gw-2', { at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      log.write('gw-2', alice, 2, { at: 1200 });

      expect(log.view.gatewaysOf(alice, 1300).sort()).toEqual(['gw-1', 'gw-2']);
      expect(log.view.isOnline(alice)).toBe(true);

      log.write('gw-1', alice, 0, { at: 1400 });
      log.write('gw-2', alice, null, { at: 1500 });
      expect(log.view.gatewaysOf(alice, 1600)).toEqual([]);
      expect(log.view.isOnline(alice)).toBe(false);
      expect(log.view.gatewaysOf(bob, 1600)).toEqual([]);
    });

    it('records which record took a key up and which took it down', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      const up = log.write('gw-1', alice, 1, { at: 1100 });
      log.write('gw-1', alice, 2, { at: 1200 });
      expect(log.view.entry('gw-1', alice)).toMatchObject({ connections: 2, up: { offset: up, at: 1100 }, down: undefined });

      const down = log.write('gw-1', alice, 0, { at: 1300 });
      log.write('gw-1', alice, null, { at: 1350 });
      expect(log.view.entry('gw-1', alice)).toMatchObject({ connections: 0, up: undefined, down: { offset: down, at: 1300 } });

      const again = log.write('gw-1', alice, 1, { at: 1400 });
      expect(log.view.entry('gw-1', alice)).toMatchObject({ up: { offset: again, at: 1400 }, down: undefined });
    });

    it('takes the broker timestamp as the time of a tombstone and ignores tombstones of unknown keys', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      const down = log.write('gw-1', alice, null, { at: 1999 });
      expect(log.view.entry('gw-1', alice)?.down).toEqual({ offset: down, at: 1999, counted: true });

      log.write('gw-1', bob, null, { at: 2000 });
      expect(log.view.entry('gw-1', bob)).toBeUndefined();
    });
  });

  describe('gateway leases', () => {
    it('does not count a gateway before its lease is known, and counts it from then on', () => {
      const log = new PresenceLog();
      log.write('gw-1', alice, 1, { at: 1100, partition: 4 });
      expect(log.view.gatewaysOf(alice, 1200)).toEqual([]);

      expect(log.lease('gw-1', { at: 1150 }, 1200)).toEqual([{ userId: alice, online: true, at: 1150, partition: 4 }]);
      expect(log.view.gatewaysOf(alice, 1200)).toEqual(['gw-1']);
      // Renewals change nothing.
      expect(log.lease('gw-1', { at: 6000 })).toEqual([]);
    });

    it('lists the gateways whose lease holds now, with or without users, for a broadcast', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.lease('gw-2', { at: 5000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      log.write('gw-3', bob, 1, { at: 1100 });
      expect(log.view.liveGatewayIds(2000).sort()).toEqual(['gw-1', 'gw-2']);
      expect(log.view.liveGatewayIds(1000 + TTL + 1)).toEqual(['gw-2']);
      log.view.applyLease('gw-2', null, 6000, 6000);
      expect(log.view.liveGatewayIds(6000)).toEqual(['gw-1']);
    });

    it('stops routing to a gateway whose lease ran out, even before expire() runs', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      expect(log.view.gatewaysOf(alice, 1000 + TTL)).toEqual(['gw-1']);
      expect(log.view.gatewaysOf(alice, 1000 + TTL + 1)).toEqual([]);
    });

    it('reports the users an expired lease took offline, once, at the end of the lease', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.lease('gw-2', { at: 5000 });
      log.write('gw-1', alice, 1, { at: 1100, partition: 2 });
      log.write('gw-1', bob, 3, { at: 1100, partition: 5 });
      log.write('gw-2', bob, 1, { at: 5100 });

      expect(log.view.expire(1000 + TTL)).toEqual([]);
      // bob still has a socket on gw-2: only alice went offline.
      expect(log.view.expire(1000 + TTL + 1)).toEqual([{ userId: alice, online: false, at: 1000 + TTL, partition: 2 }]);
      expect(log.view.isGatewayLive('gw-1')).toBe(false);
      expect(log.view.isOnline(bob)).toBe(true);
      expect(log.view.expire(1000 + TTL + 500)).toEqual([]);
    });

    it('brings the users of a gateway back when its lease is renewed after running out', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      log.view.expire(20_000);
      expect(log.view.isOnline(alice)).toBe(false);

      expect(log.lease('gw-1', { at: 21_000 })).toEqual([{ userId: alice, online: true, at: 21_000, partition: 0 }]);
      expect(log.view.gatewaysOf(alice, 21_000)).toEqual(['gw-1']);
    });

    it('forgets a gateway and its keys at once on a lease tombstone', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100 });

      log.write('gw-1', bob, 1, { at: 1100 });
      log.write('gw-1', bob, null, { at: 1900 });
      expect(log.view.applyLease('gw-1', null, 2000, 2000)).toEqual([{ userId: alice, online: false, at: 2000, partition: 0 }]);
      expect(log.view.entry('gw-1', alice)).toBeUndefined();
      // bob's key was at 0 already: kept (uncounted) until pruned, its last record may still be judged.
      expect(log.view.entry('gw-1', bob)).toMatchObject({ connections: 0, down: { at: 1900, counted: true } });
      expect(log.view.isGatewayLive('gw-1')).toBe(false);
      log.view.prune(2000 + PRUNE.zeroRetentionMs, PRUNE);
      expect(log.view.stats()).toEqual({ users: 0, keys: 0, gateways: 0, liveGateways: 0 });
      // A late record of that run (read after the tombstone from the other topic) does not count.
      log.write('gw-1', alice, 1, { at: 1950, now: 2100 });
      expect(log.view.gatewaysOf(alice, 2100)).toEqual([]);
    });

    it('voids the keys of an earlier run when the gateway restarts under the same id', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { startedAt: 1, at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100, startedAt: 1 });
      log.write('gw-1', bob, 1, { at: 1100, startedAt: 1 });

      // The new run reconnected bob before the router read its new lease: counted all along.
      log.write('gw-1', bob, 1, { at: 3100, startedAt: 3000 });
      expect(log.view.entry('gw-1', bob)).toMatchObject({ gatewayStartedAt: 3000, connections: 1, up: { at: 1100 } });

      expect(log.lease('gw-1', { startedAt: 3000, at: 3050 })).toEqual([{ userId: alice, online: false, at: 3050, partition: 0 }]);
      expect(log.view.gatewaysOf(alice, 3200)).toEqual([]);
      expect(log.view.gatewaysOf(bob, 3200)).toEqual(['gw-1']);

      // The crashed run never tombstoned its keys; such records stay ignored.
      log.write('gw-1', alice, 2, { at: 1200, startedAt: 1 });
      expect(log.view.gatewaysOf(alice, 3200)).toEqual([]);
    });

    it('ignores records of an earlier run read before the new lease once the lease arrives', () => {
      const log = new PresenceLog();
      // Replay order across topics is arbitrary: old presence first, then the current lease.
      log.write('gw-1', alice, 1, { at: 1100, startedAt: 1 });
      expect(log.lease('gw-1', { startedAt: 3000, at: 3050 })).toEqual([]);
      expect(log.view.entry('gw-1', alice)).toBeUndefined();
    });

    it('treats a lease already over when read (a gateway dead before the router started) as dead', () => {
      const log = new PresenceLog();
      log.write('gw-old', alice, 1, { at: 1100, now: 100_000 });
      expect(log.lease('gw-old', { at: 1000 }, 100_000)).toEqual([]);
      expect(log.view.isGatewayLive('gw-old')).toBe(false);
      expect(log.view.gatewaysOf(alice, 100_000)).toEqual([]);
      expect(log.view.expire(100_001)).toEqual([]);
    });
  });

  it('counts a new run reporting 0 for a key of the earlier run as that key going down', () => {
    const log = new PresenceLog();
    log.lease('gw-1', { startedAt: 1, at: 1000 });
    log.write('gw-1', alice, 2, { at: 1100, startedAt: 1 });
    const down = log.write('gw-1', alice, 0, { at: 3100, startedAt: 3000 });
    expect(log.view.entry('gw-1', alice)).toMatchObject({ gatewayStartedAt: 3000, connections: 0, down: { offset: down, at: 3100 } });
    expect(log.view.isOnline(alice)).toBe(false);
  });

  describe('announcement memory', () => {
    it('moves to a new epoch each time the user goes online or offline, whatever the cause', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.lease('gw-2', { at: 1000 });
      expect(log.view.epochOf(alice)).toBe(0);
      log.write('gw-1', alice, 1, { at: 1100 });
      const online = log.view.epochOf(alice);
      log.write('gw-1', alice, 2, { at: 1200 });
      log.write('gw-2', alice, 1, { at: 1300 });
      expect(log.view.epochOf(alice)).toBe(online);
      log.write('gw-2', alice, null, { at: 1400 });
      log.write('gw-1', alice, null, { at: 1500 });
      const offline = log.view.epochOf(alice);
      expect(offline).toBeGreaterThan(online);
      log.write('gw-1', alice, 1, { at: 1600 });
      log.view.expire(1000 + TTL + 1);
      expect(log.view.isOnline(alice)).toBe(false);
      expect(log.view.epochOf(alice)).toBe(offline + 2);
    });

    it('remembers an announcement only for the state it was about', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      log.write('gw-1', alice, null, { at: 1200 });
      log.view.markAnnounced(alice, false, log.view.epochOf(alice));
      expect(log.view.wasAnnounced(alice, false)).toBe(true);
      expect(log.view.wasAnnounced(alice, true)).toBe(false);

      // Online and offline again: the earlier "offline" is about another state.
      log.write('gw-1', alice, 1, { at: 1300 });
      log.write('gw-1', alice, null, { at: 1400 });
      expect(log.view.wasAnnounced(alice, false)).toBe(false);
      // An announcement about an epoch that has passed is no announcement of the current one.
      log.view.markAnnounced(alice, false, log.view.epochOf(alice) - 1);
      expect(log.view.wasAnnounced(alice, false)).toBe(false);
      expect(log.view.wasAnnounced(bob, false)).toBe(false);
    });
  });

  describe('pruning', () => {
    it('forgets keys at 0 after a while, and keys of gateways dead for long', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000 });
      log.lease('gw-2', { at: 1000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      log.write('gw-1', alice, 0, { at: 1200 });
      log.write('gw-2', bob, 1, { at: 1100 });

      log.view.prune(1200 + PRUNE.zeroRetentionMs - 1, PRUNE);
      expect(log.view.entry('gw-1', alice)).toBeDefined();
      log.view.prune(1200 + PRUNE.zeroRetentionMs, PRUNE);
      expect(log.view.entry('gw-1', alice)).toBeUndefined();

      // gw-2's lease runs out; its keys stay in case it comes back, then go.
      log.view.expire(20_000);
      log.view.prune(20_000 + PRUNE.deadGatewayRetentionMs - 1, PRUNE);
      expect(log.view.entry('gw-2', bob)).toBeDefined();
      log.view.prune(20_000 + PRUNE.deadGatewayRetentionMs, PRUNE);
      expect(log.view.entry('gw-2', bob)).toBeUndefined();
      expect(log.view.stats()).toEqual({ users: 0, keys: 0, gateways: 2, liveGateways: 0 });
    });

    it('keeps the keys of live gateways however old they are', () => {
      const log = new PresenceLog();
      log.lease('gw-1', { at: 1000, ttlMs: 600_000 });
      log.write('gw-1', alice, 1, { at: 1100 });
      log.view.prune(500_000, { zeroRetentionMs: 1, deadGatewayRetentionMs: 1 });
      expect(log.view.gatewaysOf(alice, 500_000)).toEqual(['gw-1']);
    });
  });
});
