import { rejectionOf } from '@chat/testing';
import { AuthClient, type FetchLike } from './auth-client';
import { AuthSession } from './auth-session';
import { AuthError } from './errors';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records calls and answers from a queue of canned responses. */
function fakeFetch(...responses: Array<Response | Error>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const next = responses.shift();
    if (!next) throw new Error('no response queued');
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const pair = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, tokenType: 'Bearer', expiresIn: 900, userId: 'user-1' });

const failure = (promise: Promise<unknown>): Promise<AuthError> => rejectionOf(promise, AuthError);

describe('AuthClient', () => {
  it('registers, logs in, refreshes and reads the current user', async () => {
    const { fetch, calls } = fakeFetch(json(201, { userId: 'user-1', username: 'ann' }), json(200, pair(1)), json(200, pair(2)), json(200, { userId: 'user-1', username: 'ann' }));
    const auth = new AuthClient('http://auth.test/', { fetch });
    await expect(auth.register('ann', 'correct horse')).resolves.toEqual({ userId: 'user-1', username: 'ann' });
    await expect(auth.login('ann', 'correct horse')).resolves.toEqual(pair(1));
    await expect(auth.refresh('refresh-1')).resolves.toEqual(pair(2));
    await expect(auth.me('access-2')).resolves.toEqual({ userId: 'user-1', username: 'ann' });
    expect(calls.map((call) => [call.method, call.url, call.body])).toEqual([
      ['POST', 'http://auth.test/auth/register', { username: 'ann', password: 'correct horse' }],
      ['POST', 'http://auth.test/auth/login', { username: 'ann', password: 'correct horse' }],
      ['POST', 'http://auth.test/auth/refresh', { refreshToken: 'refresh-1' }],
      ['GET', 'http://auth.test/auth/me', undefined],
    ]);
    expect(calls[3]?.headers['authorization']).toBe('Bearer access-2');
  });

  it("fails with the server's status and error code", async () => {
    const { fetch } = fakeFetch(json(409, { error: { code: 'username_taken', message: 'taken' } }));
    const error = await failure(new AuthClient('http://auth.test', { fetch }).register('ann', 'pw-pw-pw-pw'));
    expect(error).toMatchObject({ status: 409, code: 'username_taken' });
  });

  it('reports Retry-After of a 429 in milliseconds', async () => {
    const { fetch } = fakeFetch(json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '7' }));
    const error = await failure(new AuthClient('http://auth.test', { fetch }).login('ann', 'x'));
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterMs: 7000 });
  });

  it('names a non-JSON error and a malformed success body', async () => {
    const { fetch } = fakeFetch(new Response('<html>bad gateway</html>', { status: 502 }), json(200, { accessToken: 'only this' }));
    const auth = new AuthClient('http://auth.test', { fetch });
    expect(await failure(auth.login('ann', 'x'))).toMatchObject({ status: 502, code: 'http_502' });
    expect(await failure(auth.login('ann', 'x'))).toMatchObject({ status: 200, code: 'invalid_response' });
  });

  it('turns a network failure into an AuthError with status 0', async () => {
    const { fetch } = fakeFetch(new TypeError('fetch failed'));
    expect(await failure(new AuthClient('http://auth.test', { fetch }).me('t'))).toMatchObject({ status: 0, code: 'network_error' });
  });
});

describe('AuthSession', () => {
  it('refreshes once for concurrent token_expired requests and then hands out the new token', async () => {
    const { fetch, calls } = fakeFetch(json(200, pair(2)));
    const session = new AuthSession(new AuthClient('http://auth.test', { fetch }), pair(1));
    const [a, b] = await Promise.all([session.tokenProvider('expired'), session.tokenProvider('expired')]);
    expect([a, b]).toEqual(['access-2', 'access-2']);
    expect(calls).toHaveLength(1);
    await expect(session.tokenProvider('connect')).resolves.toBe('access-2');
  });

  it('refreshes before connecting when the token is about to expire', async () => {
    let now = 0;
    const { fetch, calls } = fakeFetch(json(200, pair(2)));
    const session = new AuthSession(new AuthClient('http://auth.test', { fetch }), pair(1), () => now);
    await expect(session.tokenProvider('connect')).resolves.toBe('access-1');
    now = 880_000; // 20 s before the 900 s expiry
    await expect(session.tokenProvider('connect')).resolves.toBe('access-2');
    expect(calls.map((call) => call.body)).toEqual([{ refreshToken: 'refresh-1' }]);
  });
});
