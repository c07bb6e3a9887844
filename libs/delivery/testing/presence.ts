import type { PresenceView } from '../src';

/**
 * Puts one connection of `userId` on `gatewayId` into a presence view, as the gateway's lease and
 * presence records would: `offset` is the presence record's, so each call of a test needs its own.
 * The gateway's lease is renewed at `now` and runs for `ttlMs`.
 */
export function connectInView(presence: PresenceView, gatewayId: string, userId: string, offset: number, { now = Date.now(), ttlMs = 60_000 } = {}): void {
  presence.applyLease(gatewayId, { startedAt: 1, at: now, ttlMs }, now, now);
  presence.applyPresence(gatewayId, userId, { connections: 1, at: now, gatewayStartedAt: 1 }, { partition: 0, offset: String(offset), timestamp: now }, now);
}
