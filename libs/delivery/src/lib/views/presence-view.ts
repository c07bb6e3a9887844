/** A `chat.presence-changed` payload as the view needs it; a tombstone is `null`. */
export interface PresenceValue {
  connections: number;
  at: number;
  gatewayStartedAt: number;
}

/** A `chat.gateway-lease-renewed` payload: alive until `at + ttlMs`. */
export interface GatewayLease {
  startedAt: number;
  at: number;
  ttlMs: number;
}

/** Where a presence record sits in `chat.presence`, and its broker timestamp (tombstones have no `at`). */
export interface RecordPosition {
  partition: number;
  offset: string;
  timestamp: number;
}

/** The record that flipped a key's count between zero and non-zero, and the gateway's time of it. */
export interface KeyFlip {
  offset: string;
  at: number;
}

export interface DownFlip extends KeyFlip {
  /** Whether the key counted (live gateway, current run) until this record took it to 0. */
  counted: boolean;
}

/** One `<gatewayId>/<userId>` key: how many sockets the user has on that gateway. */
export interface PresenceEntry {
  readonly gatewayId: string;
  readonly userId: string;
  connections: number;
  gatewayStartedAt: number;
  /** Partition of the key in `chat.presence`: its owner in the shared group announces its changes. */
  partition: number;
  /** Set while connections > 0: the record that took the count from 0 up. */
  up?: KeyFlip;
  /** Set while connections = 0: the record that took the count down to 0. */
  down?: DownFlip;
  /** Router clock when the count became 0; such entries are kept a while for decisions, then pruned. */
  zeroSince?: number;
}

/** A user went online or offline (over all gateways) in this view because a gateway came or went. */
export interface UserFlip {
  userId: string;
  online: boolean;
  at: number;
  /** Partition of the user's key on the gateway that caused it. */
  partition: number;
}

export interface PruneOptions {
  /** How long a key at 0 connections is kept (for presence decisions about its last record). */
  zeroRetentionMs: number;
  /** How long the keys of a gateway that stopped renewing its lease are kept, in case it comes back. */
  deadGatewayRetentionMs: number;
}

interface UserStatus {
  /** Counts the times the user went online or offline in this view. */
  epoch: number;
  /** What this instance last announced about the user, and in which epoch. */
  announced?: { online: boolean; epoch: number };
}

interface GatewayState {
  lease: GatewayLease | null;
  /** Whether the view counts this gateway's presence; changes only through leases and expire(). */
  live: boolean;
  /** Router clock when the gateway stopped (or had not yet started) being live. */
  deadSince?: number;
  userIds: Set<string>;
}

/**
 * Where users are connected, from the compacted `chat.presence` and `chat.gateways`. A key counts
 * while its gateway holds a live lease and the key was written by the gateway's current run
 * (`gatewayStartedAt` not older than the lease's `startedAt`): a gateway that crashed and came back
 * under the same id leaves keys nobody tombstones, and its new lease voids them.
 *
 * Liveness of gateways is state: it changes when a lease record arrives or `expire(now)` notices a
 * lease ran out, and those calls return the users who went online/offline because of it. Routing
 * additionally checks the lease against the clock (`gatewaysOf`), so it never waits for the timer.
 */
export class PresenceView {
  private readonly users = new Map<string, Map<string, PresenceEntry>>();
  private readonly statuses = new Map<string, UserStatus>();
  private readonly gateways = new Map<string, GatewayState>();

  applyPresence(gatewayId: string, userId: string, value: PresenceValue | null, position: RecordPosition, now: number): void {
    const gateway = this.gatewayState(gatewayId, now);
    // A record of an earlier run of the gateway: that run is gone, nobody will ever tombstone it.
    if (value && gateway.lease && value.gatewayStartedAt < gateway.lease.startedAt) return;
    const entry = this.users.get(userId)?.get(gatewayId);
    if (value && entry && value.gatewayStartedAt < entry.gatewayStartedAt) return;
    // A new run's record replaces the key's count; the earlier run's sockets are gone with it.
    const previous = entry?.connections ?? 0;
    const connections = value?.connections ?? 0;
    if (!entry && connections === 0) return;

    const counted = entry !== undefined && this.isLiveEntry(entry);
    const wasOnline = this.isOnline(userId);
    const target = entry ?? this.addEntry(gateway, gatewayId, userId, position.partition);
    target.connections = connections;
    target.partition = position.partition;
    if (value) target.gatewayStartedAt = value.gatewayStartedAt;
    const flip = { offset: position.offset, at: value?.at ?? position.timestamp };
    if (previous === 0 && connections > 0) {
      target.up = flip;
      target.down = undefined;
      target.zeroSince = undefined;
    } else if (previous > 0 && connections === 0) {
      target.up = undefined;
      target.down = { ...flip, counted };
      target.zeroSince = now;
    } else if (connections === 0) {
      // 0 again (a tombstone after a zero count): the record that took it to 0 stays the one.
      target.zeroSince ??= now;
    }
    if (this.isOnline(userId) !== wasOnline) this.nextEpoch(userId);
  }

  /**
   * The latest lease of a gateway; null (a tombstone: clean shutdown) forgets the gateway and its
   * counted keys at once (keys already at 0 stay until pruned: their last record may still be judged).
   * `at` is when a tombstone was written; a newer `startedAt` voids the keys of earlier runs.
   */
  applyLease(gatewayId: string, lease: GatewayLease | null, at: number, now: number): UserFlip[] {
    const gateway = this.gatewayState(gatewayId, now);
    const before = this.snapshot(gatewayId, gateway);
    if (lease === null) {
      for (const userId of [...gateway.userIds]) {
        if ((this.users.get(userId)?.get(gatewayId)?.connections ?? 0) > 0) this.removeEntry(gatewayId, userId);
      }
      gateway.lease = null;
      if (gateway.live || gateway.deadSince === undefined) gateway.deadSince = now;
      gateway.live = false;
      if (gateway.userIds.size === 0) this.gateways.delete(gatewayId);
      return this.flips(before, at);
    }
    for (const userId of [...gateway.userIds]) {
      const entry = this.users.get(userId)?.get(gatewayId);
      if (entry && entry.gatewayStartedAt < lease.startedAt) this.removeEntry(gatewayId, userId);
    }
    const live = now <= lease.at + lease.ttlMs;
    if (!live && (gateway.live || gateway.deadSince === undefined)) gateway.deadSince = now;
    if (live) gateway.deadSince = undefined;
    gateway.lease = lease;
    gateway.live = live;
    return this.flips(before, live ? lease.at : lease.at + lease.ttlMs);
  }

  /** Marks gateways whose lease ran out as dead; returns the users that went offline. */
  expire(now: number): UserFlip[] {
    const flips: UserFlip[] = [];
    for (const [gatewayId, gateway] of this.gateways) {
      const lease = gateway.lease;
      if (!gateway.live || !lease || now <= lease.at + lease.ttlMs) continue;
      const before = this.snapshot(gatewayId, gateway);
      gateway.live = false;
      gateway.deadSince = now;
      flips.push(...this.flips(before, lease.at + lease.ttlMs));
    }
    return flips;
  }

  /** Forgets keys at 0 and the keys of gateways dead for long; neither changes who is online. */
  prune(now: number, options: PruneOptions): void {
    for (const [gatewayId, gateway] of this.gateways) {
      const deadForLong = !gateway.live && gateway.deadSince !== undefined && now - gateway.deadSince >= options.deadGatewayRetentionMs;
      for (const userId of [...gateway.userIds]) {
        const entry = this.users.get(userId)?.get(gatewayId);
        const staleZero = entry?.zeroSince !== undefined && now - entry.zeroSince >= options.zeroRetentionMs;
        if (deadForLong || staleZero) this.removeEntry(gatewayId, userId);
      }
      if (gateway.lease === null && gateway.userIds.size === 0) this.gateways.delete(gatewayId);
    }
  }

  /**
   * Changes each time the user goes online or offline in this view, so an announcement can be tied
   * to the state it was about.
   */
  epochOf(userId: string): number {
    return this.statuses.get(userId)?.epoch ?? 0;
  }

  /** Whether this instance already announced `online` for the user's current epoch. */
  wasAnnounced(userId: string, online: boolean): boolean {
    const status = this.statuses.get(userId);
    return status?.announced !== undefined && status.announced.online === online && status.announced.epoch === status.epoch;
  }

  /** Remembers an announcement made (durably) about the state of `epoch`. */
  markAnnounced(userId: string, online: boolean, epoch: number): void {
    const status = this.statuses.get(userId);
    if (status) status.announced = { online, epoch };
  }

  entry(gatewayId: string, userId: string): PresenceEntry | undefined {
    return this.users.get(userId)?.get(gatewayId);
  }

  /** The user has a counted socket anywhere (state: as of the last lease change or expire()). */
  isOnline(userId: string): boolean {
    return this.liveEntriesOf(userId).length > 0;
  }

  /** Keys of the user with connections on a gateway the view counts as live. */
  liveEntriesOf(userId: string): PresenceEntry[] {
    return [...(this.users.get(userId)?.values() ?? [])].filter((entry) => this.isLiveEntry(entry));
  }

  isLiveEntry(entry: PresenceEntry): boolean {
    const gateway = this.gateways.get(entry.gatewayId);
    return entry.connections > 0 && gateway !== undefined && gateway.live && gateway.lease !== null && entry.gatewayStartedAt >= gateway.lease.startedAt;
  }

  isGatewayLive(gatewayId: string): boolean {
    return this.gateways.get(gatewayId)?.live ?? false;
  }

  /** Gateways to route the user's frames to: live keys whose lease also holds by the clock now. */
  gatewaysOf(userId: string, now: number): string[] {
    return this.liveEntriesOf(userId)
      .filter((entry) => {
        const lease = this.gateways.get(entry.gatewayId)?.lease;
        return lease !== null && lease !== undefined && now <= lease.at + lease.ttlMs;
      })
      .map((entry) => entry.gatewayId);
  }

  /** Gateways whose lease holds by the clock now, whoever is connected to them: where a broadcast goes. */
  liveGatewayIds(now: number): string[] {
    const live: string[] = [];
    for (const [gatewayId, { lease }] of this.gateways) if (lease && now <= lease.at + lease.ttlMs) live.push(gatewayId);
    return live;
  }

  stats(): { users: number; keys: number; gateways: number; liveGateways: number } {
    let keys = 0;
    for (const entries of this.users.values()) keys += entries.size;
    const liveGateways = [...this.gateways.values()].filter((gateway) => gateway.live).length;
    return { users: this.users.size, keys, gateways: this.gateways.size, liveGateways };
  }

  private gatewayState(gatewayId: string, now: number): GatewayState {
    let gateway = this.gateways.get(gatewayId);
    if (!gateway) {
      // Presence may be read before the lease (two topics): such keys wait, uncounted, for it.
      gateway = { lease: null, live: false, deadSince: now, userIds: new Set() };
      this.gateways.set(gatewayId, gateway);
    }
    return gateway;
  }

  private addEntry(gateway: GatewayState, gatewayId: string, userId: string, partition: number): PresenceEntry {
    const entry: PresenceEntry = { gatewayId, userId, connections: 0, gatewayStartedAt: 0, partition };
    let entries = this.users.get(userId);
    if (!entries) {
      entries = new Map();
      this.users.set(userId, entries);
      if (!this.statuses.has(userId)) this.statuses.set(userId, { epoch: 0 });
    }
    entries.set(gatewayId, entry);
    gateway.userIds.add(userId);
    return entry;
  }

  private removeEntry(gatewayId: string, userId: string): void {
    const entries = this.users.get(userId);
    entries?.delete(gatewayId);
    if (entries?.size === 0) {
      this.users.delete(userId);
      this.statuses.delete(userId);
    }
    this.gateways.get(gatewayId)?.userIds.delete(userId);
  }

  private nextEpoch(userId: string): void {
    const status = this.statuses.get(userId);
    if (status) status.epoch += 1;
  }

  private snapshot(gatewayId: string, gateway: GatewayState): Map<string, { online: boolean; partition: number }> {
    const before = new Map<string, { online: boolean; partition: number }>();
    for (const userId of gateway.userIds) {
      const partition = this.users.get(userId)?.get(gatewayId)?.partition ?? 0;
      before.set(userId, { online: this.isOnline(userId), partition });
    }
    return before;
  }

  private flips(before: Map<string, { online: boolean; partition: number }>, at: number): UserFlip[] {
    const flips: UserFlip[] = [];
    for (const [userId, { online, partition }] of before) {
      const now = this.isOnline(userId);
      if (now === online) continue;
      this.nextEpoch(userId);
      flips.push({ userId, online: now, at, partition });
    }
    return flips;
  }
}
