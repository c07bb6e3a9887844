import { TokenBucket } from '../connections/token-bucket';

/** Per-IP handshake buckets kept at most; beyond, the least recently used are forgotten (a flood of addresses). */
const DEFAULT_MAX_ADDRESSES = 100_000;

export interface AddressLimitsOptions {
  /** Open sockets one address may hold (WS_MAX_CONNECTIONS_PER_IP). */
  maxConnections: number;
  /** New sockets one address may open per second on average, and at once. */
  handshakesPerSecond: number;
  handshakeBurst: number;
  maxAddresses?: number;
}

/**
 * The gateway's limits per client IP: sockets held open, and handshakes per second (a token bucket
 * per address). Memory stays bounded: open counts exist only while sockets do, and a bucket is
 * forgotten once it is full again (it would behave like a new one) or, past `maxAddresses`, when it
 * is the least recently used.
 */
export class AddressLimits {
  private readonly open = new Map<string, number>();
  /** address → its bucket and the time by which it is surely full again; in least-recently-used order. */
  private readonly buckets = new Map<string, { bucket: TokenBucket; fullBy: number }>();
  private readonly refillMs: number;
  private readonly maxAddresses: number;

  constructor(private readonly options: AddressLimitsOptions) {
    this.refillMs = Math.ceil((options.handshakeBurst * 1000) / options.handshakesPerSecond);
    this.maxAddresses = options.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  }

  /** Whether `address` already holds as many sockets as one address may. */
  atConnectionLimit(address: string): boolean {
    return (this.open.get(address) ?? 0) >= this.options.maxConnections;
  }

  /** Spends one handshake of `address`; false when it is over its rate. */
  takeHandshake(address: string, now: number): boolean {
    this.forgetFull(now);
    const entry = this.buckets.get(address) ?? { bucket: new TokenBucket(this.options.handshakesPerSecond, this.options.handshakeBurst, now), fullBy: now };
    // Re-inserted, so the map stays in least-recently-used order.
    this.buckets.delete(address);
    for (const oldest of this.buckets.keys()) {
      if (this.buckets.size < this.maxAddresses) break;
      this.buckets.delete(oldest);
    }
    entry.fullBy = now + this.refillMs;
    this.buckets.set(address, entry);
    return entry.bucket.take(now);
  }

  opened(address: string): void {
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
  }

  closed(address: string): void {
    const remaining = (this.open.get(address) ?? 0) - 1;
    if (remaining > 0) this.open.set(address, remaining);
    else this.open.delete(address);
  }

  /** Addresses holding sockets, and handshake buckets kept (for tests and diagnostics). */
  get size(): { addresses: number; buckets: number } {
    return { addresses: this.open.size, buckets: this.buckets.size };
  }

  /** Least recently used first, so the full ones are at the front. */
  private forgetFull(now: number): void {
    for (const [address, { fullBy }] of this.buckets) {
      if (fullBy > now) return;
      this.buckets.delete(address);
    }
  }
}
