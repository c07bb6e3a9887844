import { AuthClient, type TokenPair } from '@chat/client-sdk';

/*
 * A reload keeps the user signed in: the newest refresh token is kept in this tab's sessionStorage
 * and traded for a fresh pair when the page loads. sessionStorage, not localStorage, because refresh
 * tokens are single-use and presenting a spent one again revokes the whole session
 * (`refresh_token_reused`): tabs sharing one token in localStorage would race to refresh it and end
 * each other's session. Each tab signs in on its own; the token goes when the tab closes.
 */

const KEY = 'chat.session';

export interface SavedSession {
  userId: string;
  username: string;
  refreshToken: string;
}

export function loadSession(): SavedSession | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw === null) return undefined;
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return undefined;
    const { userId, username, refreshToken } = value as Record<string, unknown>;
    if (typeof userId === 'string' && typeof username === 'string' && typeof refreshToken === 'string') return { userId, username, refreshToken };
  } catch {
    // Unreadable (storage disabled, not JSON): as if there were none.
  }
  return undefined;
}

export function saveSession(session: SavedSession): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Storage disabled or full: the session still works, it just does not survive a reload.
  }
}

export function forgetSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}

/**
 * The auth client of the app: every refresh (AuthSession's, before a connect or on 4002) saves the
 * new refresh token at once, since the old one is spent.
 */
export class SavingAuthClient extends AuthClient {
  private username = '';

  signedInAs(username: string): void {
    this.username = username;
  }

  override async refresh(refreshToken: string): Promise<TokenPair> {
    const pair = await super.refresh(refreshToken);
    saveSession({ userId: pair.userId, username: this.username, refreshToken: pair.refreshToken });
    return pair;
  }
}
