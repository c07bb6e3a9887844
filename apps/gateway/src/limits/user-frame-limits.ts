import { TokenBucket } from '../connections/token-bucket';

/**
 * One frame budget per user over all their sockets on this gateway (WS_USER_RATE_PER_SECOND and
 * _BURST), next to each socket's own: without it a user's 20 tabs would get 20 times the rate.
 * A user's bucket lives while they hold a socket here, so a reconnect does not refill it.
 */
export class UserFrameLimits {
  private readonly users = new Map<string, { bucket: TokenBucket; sockets: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** The bucket of `userId`, shared by all their sockets; call release when the socket closes. */
  acquire(userId: string, now: number): TokenBucket {
    let entry = this.users.get(userId);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.ratePerSecond, this.burst, now), sockets: 0 };
      this.users.set(userId, entry);
    }
    entry.sockets += 1;
    return entry.bucket;
  }

  release(userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    entry.sockets -= 1;
    if (entry.sockets <= 0) this.users.delete(userId);
  }

  get size(): number {
    return this.users.size;
  }
}
