import { randomBytes, randomUUID } from 'node:crypto';
import { AuthClient, type TokenPair } from '@chat/client-sdk';
import { signAccessToken, type SigningKey, type UserRole } from '@chat/auth-tokens';

/** A user a load client connects as: a fixed minted token, or a logged-in pair (refreshed through auth). */
export interface LoadUser {
  userId: string;
  username: string;
  token?: string;
  pair?: TokenPair;
}

/** Minted tokens outlive any run, so nothing expires mid-measurement. */
const MINTED_TOKEN_TTL_SECONDS = 6 * 3600;
const REGISTER_CONCURRENCY = 16;

/**
 * Users for the load. Messaging needs real users (persistence only lets known users into
 * conversations), so they register through auth, like any client, before the timed part. Idle
 * and storm connections need none: when the load generator started the suite it holds auth's signing
 * key and mints access tokens for synthetic user ids, which the gateway verifies exactly like auth's
 * (nothing on the connect path looks a user up). Registered users are kept for later scenarios.
 */
export class UserPool {
  private readonly registered: LoadUser[] = [];
  private readonly auth: AuthClient;
  private readonly runTag = randomBytes(3).toString('hex');
  private counter = 0;

  constructor(
    authUrl: string,
    private readonly signingKey: SigningKey | undefined,
  ) {
    this.auth = new AuthClient(authUrl, { timeoutMs: 60_000 });
  }

  get canMint(): boolean {
    return this.signingKey !== undefined;
  }

  /** `count` registered users not handed out before (`fresh`), or the first `count` registered so far (reused). */
  async registeredUsers(count: number, options: { fresh?: boolean; onProgress?: (done: number) => void } = {}): Promise<LoadUser[]> {
    if (options.fresh) return this.register(count, options.onProgress);
    if (this.registered.length < count) await this.register(count - this.registered.length, options.onProgress);
    return this.registered.slice(0, count);
  }

  /** Synthetic users with minted tokens when the secret is known, else registered ones. */
  async connectionUsers(count: number, onProgress?: (done: number) => void): Promise<LoadUser[]> {
    if (!this.signingKey) return this.registeredUsers(count, { onProgress });
    return Array.from({ length: count }, () => {
      const userId = randomUUID();
      return { userId, username: `lg-${userId.slice(0, 8)}`, token: this.mint(userId, `lg-${userId.slice(0, 8)}`) };
    });
  }

  /**
   * An administrator (the token's `admin` role, as auth gives the names in ADMIN_USERNAMES), with a
   * minted token: announcements need no registered user. Needs the suite's JWT secret.
   */
  adminUser(): LoadUser {
    if (!this.signingKey) throw new Error('an administrator token is minted with auth\'s signing key: start the suite here or pass --jwt-private-key and --jwt-key-id');
    const userId = randomUUID();
    const username = `lg-admin-${userId.slice(0, 8)}`;
    return { userId, username, token: this.mint(userId, username, 'admin') };
  }

  private mint(userId: string, username: string, role: UserRole = 'user'): string {
    if (!this.signingKey) throw new Error('no signing key');
    return signAccessToken({ signingKey: this.signingKey, issuer: 'chat-auth', audience: 'chat' }, { userId, username, tokenId: randomUUID(), role }, MINTED_TOKEN_TTL_SECONDS);
  }

  private async register(count: number, onProgress?: (done: number) => void): Promise<LoadUser[]> {
    const made: LoadUser[] = [];
    let next = 0;
    const registerOne = async (): Promise<void> => {
      while (next < count) {
        next++;
        const username = `lg_${this.runTag}_${++this.counter}`;
        const password = `pw-${randomBytes(12).toString('base64url')}`;
        const { userId } = await this.auth.register(username, password);
        // With the secret, a minted token saves a login (another argon2 verification) per user.
        const user: LoadUser = this.signingKey ? { userId, username, token: this.mint(userId, username) } : { userId, username, pair: await this.auth.login(username, password) };
        made.push(user);
        this.registered.push(user);
        onProgress?.(made.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REGISTER_CONCURRENCY, count) }, registerOne));
    return made;
  }
}
