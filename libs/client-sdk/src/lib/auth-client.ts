import { z } from 'zod';
import { AuthError } from './errors';

/* Responses are checked, not trusted: a proxy's HTML error page must not become "undefined" tokens. */

const RegisteredSchema = z.object({ userId: z.string(), username: z.string() });
export type RegisteredUser = z.output<typeof RegisteredSchema>;

const TokenPairSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  tokenType: z.string(),
  /** Lifetime of the access token in seconds. */
  expiresIn: z.number().positive(),
  userId: z.string(),
});
export type TokenPair = z.output<typeof TokenPairSchema>;

const MeSchema = z.object({ userId: z.string(), username: z.string() });
export type Me = z.output<typeof MeSchema>;

const FoundUsersSchema = z.object({ users: z.array(MeSchema) });
/** A user as others see one: the id the protocol uses and the name people know. */
export type UserProfile = Me;

const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface AuthClientOptions {
  /** Default: the global fetch (Node 18+, browsers). */
  fetch?: FetchLike;
  /** Deadline per call (default 10 s). */
  timeoutMs?: number;
}

/** Retry-After is seconds or an HTTP date; milliseconds either way. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The auth service's REST API. Every failure is an AuthError with the HTTP status and the server's error code. */
export class AuthClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;

  /** `baseUrl` e.g. `http://127.0.0.1:3001` (the `/auth/...` paths are appended). */
  constructor(baseUrl: string, options: AuthClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** 201 with the new user; 409 `username_taken`. */
  register(username: string, password: string): Promise<RegisteredUser> {
    return this.call('POST', '/auth/register', { body: { username, password } }, RegisteredSchema);
  }

  login(username: string, password: string): Promise<TokenPair> {
    return this.call('POST', '/auth/login', { body: { username, password } }, TokenPairSchema);
  }

  /** A new pair for a refresh token (which is then spent). */
  refresh(refreshToken: string): Promise<TokenPair> {
    return this.call('POST', '/auth/refresh', { body: { refreshToken } }, TokenPairSchema);
  }

  /** Revokes the refresh token; the access token, if given, authenticates the call. */
  async logout(refreshToken: string, accessToken?: string): Promise<void> {
    await this.call('POST', '/auth/logout', { body: { refreshToken }, accessToken }, undefined);
  }

  /** Ends every session of the access token's user, this one included; their sockets close with 4004. */
  async logoutEverywhere(accessToken: string): Promise<void> {
    await this.call('POST', '/auth/logout-everywhere', { accessToken }, undefined);
  }

  me(accessToken: string): Promise<Me> {
    return this.call('GET', '/auth/me', { accessToken }, MeSchema);
  }

  /** The users among those named (usernames case-insensitive) that exist; at most 100 of each per call. */
  async lookupUsers(accessToken: string, query: { usernames?: string[]; userIds?: string[] }): Promise<UserProfile[]> {
    const found = await this.call('POST', '/auth/users/lookup', { body: { usernames: query.usernames ?? [], userIds: query.userIds ?? [] }, accessToken }, FoundUsersSchema);
    return found.users;
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    { body, accessToken }: { body?: unknown; accessToken?: string },
    schema: z.ZodType<T> | undefined,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (accessToken) headers['authorization'] = `Bearer ${accessToken}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new AuthError(0, timedOut ? 'timeout' : 'network_error', `${method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const parsed = ErrorBodySchema.safeParse(json);
      const { code, message } = parsed.success ? parsed.data.error : { code: `http_${response.status}`, message: text.slice(0, 200) || response.statusText };
      throw new AuthError(response.status, code, message, retryAfterMs(response.headers.get('retry-after')));
    }
    if (schema === undefined) return undefined as T;
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new AuthError(response.status, 'invalid_response', `${method} ${path}: unexpected response body: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }
}
