import type { AuthClient, TokenPair, UserProfile } from './auth-client';
import type { TokenProvider } from './token';

/** Refresh this long before the access token expires, so a connect never starts with one about to lapse. */
const REFRESH_MARGIN_MS = 30_000;

/**
 * The tokens of one logged-in user, refreshed when needed. `tokenProvider` plugs straight into
 * ChatClient.connect: it refreshes on 4002 token_expired and when the token is about to expire.
 * Concurrent refreshes share one request (a refresh token is single-use).
 */
export class AuthSession {
  private pair: TokenPair;
  private expiresAt: number;
  private refreshing: Promise<TokenPair> | undefined;

  constructor(
    private readonly auth: AuthClient,
    pair: TokenPair,
    private readonly now: () => number = Date.now,
  ) {
    this.pair = pair;
    this.expiresAt = now() + pair.expiresIn * 1000;
  }

  static async login(auth: AuthClient, username: string, password: string): Promise<AuthSession> {
    return new AuthSession(auth, await auth.login(username, password));
  }

  get userId(): string {
    return this.pair.userId;
  }

  get accessToken(): string {
    return this.pair.accessToken;
  }

  get refreshToken(): string {
    return this.pair.refreshToken;
  }

  /** A current access token, refreshed first if it expires within the margin. */
  async validAccessToken(): Promise<string> {
    if (this.now() + REFRESH_MARGIN_MS >= this.expiresAt) await this.refresh();
    return this.pair.accessToken;
  }

  refresh(): Promise<TokenPair> {
    this.refreshing ??= this.auth
      .refresh(this.pair.refreshToken)
      .then((pair) => {
        this.pair = pair;
        this.expiresAt = this.now() + pair.expiresIn * 1000;
        return pair;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  readonly tokenProvider: TokenProvider = async (reason) => {
    if (reason === 'expired') return (await this.refresh()).accessToken;
    return this.validAccessToken();
  };

  /** Users by username or id (auth's directory): to start a direct chat by name, to show senders' names. */
  async lookupUsers(query: { usernames?: string[]; userIds?: string[] }): Promise<UserProfile[]> {
    return this.auth.lookupUsers(await this.validAccessToken(), query);
  }

  /** Ends this session; its sockets close with 4004 (`session_revoked`). */
  logout(): Promise<void> {
    return this.auth.logout(this.pair.refreshToken, this.pair.accessToken);
  }

  /** Ends every session of this user, on every device. */
  async logoutEverywhere(): Promise<void> {
    await this.auth.logoutEverywhere(await this.validAccessToken());
  }
}
