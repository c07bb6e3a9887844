import { Injectable, Logger } from '@nestjs/common';
import type { ClientFrame, ClientFrameType } from '@chat/protocol';
import { GatewayConfig } from '../config';
import type { ClientConnection } from '../connections/client-connection';
import { GatewayMetrics } from '../telemetry/gateway.metrics';

/** The frames counted against the read quota. */
export const READ_FRAME_TYPES: ReadonlySet<ClientFrameType> = new Set(['sync', 'history', 'list_conversations']);

/** Tokens are counted in thousandths, so integer milliseconds times a rate per second stay exact. */
const SCALE = 1000;
/** Users tracked before the full buckets (users idle long enough to be back at their burst) are dropped. */
const SWEEP_AT_USERS = 10_000;

interface Bucket {
  milliTokens: number;
  refilledAt: number;
}

/**
 * Per-user token buckets: `ratePerSecond` on average, `burst` at once. A bucket that refilled
 * completely says nothing a new one would not, so idle users are forgotten (memory stays
 * proportional to the users reading lately).
 */
export class UserBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;

  constructor(
    private readonly ratePerSecond: number,
    burst: number,
  ) {
    this.capacity = burst * SCALE;
  }

  /** Takes a token from the user's bucket: 0 if there was one, else the milliseconds until there is. */
  take(userId: string, now: number): number {
    let bucket = this.buckets.get(userId);
    if (!bucket) {
      if (this.buckets.size >= SWEEP_AT_USERS) this.sweep(now);
      bucket = { milliTokens: this.capacity, refilledAt: now };
      this.buckets.set(userId, bucket);
    }
    // A clock that went backwards refills nothing, instead of draining the bucket.
    if (now > bucket.refilledAt) {
      bucket.milliTokens = Math.min(this.capacity, bucket.milliTokens + (now - bucket.refilledAt) * this.ratePerSecond);
      bucket.refilledAt = now;
    }
    if (bucket.milliTokens >= SCALE) {
      bucket.milliTokens -= SCALE;
      return 0;
    }
    return Math.max(1, Math.ceil((SCALE - bucket.milliTokens) / this.ratePerSecond));
  }

  /** Users currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [userId, bucket] of this.buckets) {
      if (bucket.milliTokens + (now - bucket.refilledAt) * this.ratePerSecond >= this.capacity) this.buckets.delete(userId);
    }
  }
}

/** What the quota needs of a connection. */
export type ReadingConnection = Pick<ClientConnection, 'id' | 'userId' | 'sendFrame'>;

/**
 * The per-user read quota (READS_PER_USER_PER_SECOND, READS_PER_USER_BURST), all of a user's sockets
 * on this instance together. It is per gateway instance: a user whose sockets are spread over N
 * gateways may read N times as much.
 */
@Injectable()
export class ReadQuota {
  private readonly logger = new Logger(ReadQuota.name);
  private readonly buckets: UserBuckets;

  constructor(private readonly config: GatewayConfig) {
    this.buckets = new UserBuckets(config.READS_PER_USER_PER_SECOND, config.READS_PER_USER_BURST);
  }

  /**
   * Whether a frame may go on: true for anything but a read, and for a read within its user's quota.
   * Otherwise the client gets a `rate_limited` error naming the limit and when a read is allowed again.
   */
  admit(connection: ReadingConnection, frame: ClientFrame, now: number): boolean {
    if (!READ_FRAME_TYPES.has(frame.type)) return true;
    const retryInMs = this.buckets.take(connection.userId, Math.floor(now));
    if (retryInMs === 0) return true;
    GatewayMetrics.readsRefused.inc({ type: frame.type });
    this.logger.debug({ msg: 'read refused: over the per-user read quota', frameType: frame.type, userId: connection.userId, connectionId: connection.id, retryInMs });
    connection.sendFrame({
      type: 'error',
      ...(frame.id === undefined ? {} : { replyTo: frame.id }),
      code: 'rate_limited',
      message: readQuotaMessage(this.config.READS_PER_USER_PER_SECOND, this.config.READS_PER_USER_BURST, frame.type, retryInMs),
    });
    return false;
  }
}

/** The `rate_limited` message of a refused read: the limit by name, and when to retry. */
export function readQuotaMessage(ratePerSecond: number, burst: number, frameType: string, retryInMs: number): string {
  return (
    `read quota: more than ${ratePerSecond} reads (sync, history, list_conversations) per second per user ` +
    `(READS_PER_USER_PER_SECOND; burst READS_PER_USER_BURST ${burst}); ${frameType} dropped, retry in ${retryInMs} ms`
  );
}
