import { AuthClient, AuthError, AuthSession, type TokenPair } from '@chat/client-sdk';
import { CliError } from '../chat/errors';
import type { SessionStore } from './session-store';

/**
 * The auth client of the CLI: every new token pair (login, and each refresh, which retires the old
 * refresh token) is written to the session file before it is used, so the next start resumes.
 */
export class SavingAuthClient extends AuthClient {
  private username: string | undefined;

  constructor(
    readonly authUrl: string,
    private readonly store: SessionStore,
  ) {
    super(authUrl);
  }

  override async login(username: string, password: string): Promise<TokenPair> {
    const pair = await super.login(username, password);
    this.username = username;
    await this.persist(pair);
    return pair;
  }

  override async refresh(refreshToken: string): Promise<TokenPair> {
    const pair = await super.refresh(refreshToken);
    await this.persist(pair);
    return pair;
  }

  /** The saved session's user, whose refreshes are saved from now on. */
  resumeAs(username: string): void {
    this.username = username;
  }

  private async persist(pair: TokenPair): Promise<void> {
    if (this.username === undefined) return;
    await this.store.save({ authUrl: this.authUrl, userId: pair.userId, username: this.username, refreshToken: pair.refreshToken });
  }
}

export interface Prompts {
  /** Asks for a visible answer (a username). */
  ask(question: string): Promise<string>;
  /** Asks without echo (a password). */
  secret(question: string): Promise<string>;
}

export interface LoginInput {
  /** Asks the person at the terminal; absent when stdin is not one. */
  prompts?: Prompts;
  /** CHAT_PASSWORD: scripts' password. */
  password?: string;
}

export interface LoggedIn {
  session: AuthSession;
  username: string;
}

async function password(input: LoginInput, confirm: boolean): Promise<string> {
  if (input.password !== undefined && input.password !== '') return input.password;
  if (!input.prompts) throw new CliError('no_password', 'no password: set CHAT_PASSWORD when stdin is not a terminal');
  const first = await input.prompts.secret('password: ');
  if (confirm && (await input.prompts.secret('password again: ')) !== first) throw new CliError('password_mismatch', 'the two passwords differ; nothing was registered');
  return first;
}

/**
 * The saved session that a new login replaces, read before the login overwrites the file; ended
 * on the server once the new one exists (a failed login leaves it alone). It may be over already.
 */
async function replacing(auth: SavingAuthClient, store: SessionStore): Promise<() => Promise<void>> {
  const previous = await store.load().catch(() => undefined);
  return async () => {
    if (previous && previous.authUrl === auth.authUrl) await auth.logout(previous.refreshToken).catch(() => undefined);
  };
}

export async function register(auth: SavingAuthClient, store: SessionStore, username: string, input: LoginInput): Promise<LoggedIn> {
  const secret = await password(input, true);
  const registered = await auth.register(username, secret).catch((error: unknown) => {
    if (error instanceof AuthError && error.code === 'username_taken') throw new CliError('username_taken', `the username ${username} is taken; if it is yours: chat-cli login ${username}`);
    throw error;
  });
  const retirePrevious = await replacing(auth, store);
  const pair = await auth.login(registered.username, secret);
  await retirePrevious();
  return { session: new AuthSession(auth, pair), username: registered.username };
}

export async function login(auth: SavingAuthClient, store: SessionStore, username: string, input: LoginInput): Promise<LoggedIn> {
  const secret = await password(input, false);
  const retirePrevious = await replacing(auth, store);
  const pair = await auth.login(username, secret);
  await retirePrevious();
  // The name as registered (login is case-insensitive).
  const me = await auth.me(pair.accessToken).catch(() => ({ username }));
  if (me.username !== username) {
    auth.resumeAs(me.username);
    await store.save({ authUrl: auth.authUrl, userId: pair.userId, username: me.username, refreshToken: pair.refreshToken });
  }
  return { session: new AuthSession(auth, pair), username: me.username };
}

/** The saved session, refreshed (which saves the new refresh token); or a login at the terminal when there is none. */
export async function resume(auth: SavingAuthClient, store: SessionStore, input: LoginInput): Promise<LoggedIn> {
  const saved = await store.load();
  if (!saved) {
    if (!input.prompts) throw new CliError('not_logged_in', `not logged in (no session in ${store.file}): run chat-cli register <username> or chat-cli login <username> first`);
    const username = (await input.prompts.ask('no saved session; log in (or Ctrl-C and run chat-cli register <username>)\nusername: ')).trim();
    if (username === '') throw new CliError('no_username', 'no username given');
    return login(auth, store, username, input);
  }
  if (saved.authUrl !== auth.authUrl) {
    throw new CliError('other_server', `the saved session (${saved.username}) is for the auth service at ${saved.authUrl}; pass --auth ${saved.authUrl}, or log in here with chat-cli login <username>`);
  }
  auth.resumeAs(saved.username);
  try {
    const pair = await auth.refresh(saved.refreshToken);
    return { session: new AuthSession(auth, pair), username: saved.username };
  } catch (error) {
    if (error instanceof AuthError && (error.code === 'invalid_refresh_token' || error.code === 'refresh_token_reused')) {
      await store.delete();
      throw new CliError('session_ended', `the saved session of ${saved.username} has ended (logged out, or used elsewhere); log in again: chat-cli login ${saved.username}`);
    }
    throw error;
  }
}

/** `logout`: ends the saved session on the server (if it still exists) and deletes the file. */
export async function logout(auth: SavingAuthClient, store: SessionStore): Promise<string> {
  const saved = await store.load();
  if (!saved) return `not logged in (no session in ${store.file})`;
  if (saved.authUrl === auth.authUrl) {
    await auth.logout(saved.refreshToken).catch((error: unknown) => {
      // Already over: nothing to end on the server.
      if (error instanceof AuthError && error.status === 401) return;
      throw error;
    });
  }
  await store.delete();
  return `logged out ${saved.username}; ${store.file} deleted`;
}
