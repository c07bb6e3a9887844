import { Injectable } from '@nestjs/common';

/** Addresses remembered per username, and for how long after their last successful login. */
const ADDRESSES_PER_USERNAME = 5;
const REMEMBER_MS = 30 * 24 * 60 * 60 * 1000;
/** Usernames remembered at most; beyond, the least recently logged in are forgotten. */
const DEFAULT_MAX_USERNAMES = 100_000;

/**
 * The client IPs each username logged in from lately (its last five, for 30 days). When strangers
 * have spent a username's failed-login budget, these addresses are still let in, so a guessing
 * campaign cannot lock the real user out; each address stays under its own failure limit. In
 * memory, per replica, like the rate limits themselves.
 */
@Injectable()
export class KnownAddresses {
  /** username key → address → last successful login; usernames in least-recently-used order. */
  private readonly byUsername = new Map<string, Map<string, number>>();

  constructor(private readonly maxUsernames = DEFAULT_MAX_USERNAMES) {}

  has(usernameKey: string, address: string, now: number): boolean {
    const at = this.byUsername.get(usernameKey)?.get(address);
    return at !== undefined && now - at < REMEMBER_MS;
  }

  remember(usernameKey: string, address: string, now: number): void {
    const addresses = this.byUsername.get(usernameKey) ?? new Map<string, number>();
    this.byUsername.delete(usernameKey);
    addresses.delete(address);
    addresses.set(address, now);
    for (const oldest of addresses.keys()) {
      if (addresses.size <= ADDRESSES_PER_USERNAME) break;
      addresses.delete(oldest);
    }
    for (const oldest of this.byUsername.keys()) {
      if (this.byUsername.size < this.maxUsernames) break;
      this.byUsername.delete(oldest);
    }
    this.byUsername.set(usernameKey, addresses);
  }
}
