import path from 'node:path';
import { ServiceFleet } from '@chat/local-infra';
import { e2e, uniqueName } from './support/environment';

/*
 * Auth's rate limits against the real service (its PostgreSQL and Kafka), alone: only failed
 * logins count, so strangers sending wrong passwords cannot lock a user out of the addresses they
 * log in from; refresh and logout are limited per IP, refresh per token too; every refusal is a
 * 429 `rate_limited` with Retry-After. Auth trusts one proxy hop, so X-Forwarded-For stands for
 * the client's address.
 */

const LOGIN_FAILURES_PER_USERNAME = 3;
const LOGIN_FAILURES_PER_USERNAME_IP = 2;

let fleet: ServiceFleet | undefined;
let base = '';

beforeAll(async () => {
  const run = uniqueName('authlimits').toLowerCase();
  fleet = new ServiceFleet({
    workspaceRoot: e2e.workspaceRoot,
    kafkaBrokers: e2e.kafkaBrokers,
    databaseUrlFor: (database) => e2e.databaseUrlFor(database),
    jwtKeys: e2e.jwtKeys,
    instances: [
      {
        name: `auth-${run}`,
        service: 'auth',
        env: {
          TRUST_PROXY_HOPS: '1',
          RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: '1000',
          RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: '1000',
          RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: String(LOGIN_FAILURES_PER_USERNAME),
          RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP_PER_MINUTE: String(LOGIN_FAILURES_PER_USERNAME_IP),
          RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: '3',
          RATE_LIMIT_REFRESH_PER_TOKEN_PER_MINUTE: '2',
          RATE_LIMIT_LOGOUT_PER_IP_PER_MINUTE: '2',
        },
      },
    ],
    logDir: path.join(e2e.tempDir, `chat-${run}`),
  });
  await fleet.start();
  base = `http://127.0.0.1:${fleet.process(`auth-${run}`).httpPort}`;
}, 150_000);

afterAll(async () => {
  await fleet?.stop();
}, 60_000);

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { error?: { code: string; message: string }; refreshToken?: string };
}

async function post(route: string, from: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${base}/auth/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

async function registered(from: string): Promise<{ username: string; password: string }> {
  const user = { username: uniqueName('lim').slice(0, 32), password: 'correct horse battery' };
  expect((await post('register', from, user)).status).toBe(201);
  return user;
}

function expectLimited(answer: Answer, message: RegExp): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(answer.body.error?.code).toBe('rate_limited');
  expect(answer.body.error?.message).toMatch(message);
}

describe('auth rate limits, end to end', () => {
  it('counts failed logins only, and strangers cannot lock the user out of the address they log in from', async () => {
    const home = '10.0.0.1';
    const user = await registered(home);
    expect((await post('login', home, user)).status).toBe(200);

    // A stranger at one address: two wrong passwords, then that address is refused for this username.
    const wrong = { username: user.username, password: 'wrong password!' };
    expect((await post('login', '10.1.0.1', wrong)).status).toBe(401);
    expect((await post('login', '10.1.0.1', wrong)).status).toBe(401);
    expectLimited(await post('login', '10.1.0.1', wrong), /from this address/);
    // Other addresses spend the username's own failure budget (3): then strangers anywhere are refused.
    expect((await post('login', '10.1.0.2', wrong)).status).toBe(401);
    expectLimited(await post('login', '10.1.0.3', wrong), /too many failed logins for this username/);

    // The user, at the address they logged in from before, still gets in, again and again.
    for (let attempt = 0; attempt < 2 * LOGIN_FAILURES_PER_USERNAME; attempt += 1) expect((await post('login', home, user)).status).toBe(200);
  });

  it('never counts successful logins', async () => {
    const user = await registered('10.0.1.1');
    for (let attempt = 0; attempt < 3 * LOGIN_FAILURES_PER_USERNAME; attempt += 1) expect((await post('login', `10.0.1.${(attempt % 2) + 1}`, user)).status).toBe(200);
  });

  it('limits refreshes per token and per address, and logouts per address', async () => {
    const user = await registered('10.0.2.1');
    const login = await post('login', '10.0.2.1', user);
    const refreshToken = login.body.refreshToken;
    // Per token: rotated, then a replay (the session is revoked), then refused before the database is asked.
    expect((await post('refresh', '10.0.2.2', { refreshToken })).status).toBe(200);
    expect((await post('refresh', '10.0.2.3', { refreshToken })).status).toBe(401);
    expectLimited(await post('refresh', '10.0.2.4', { refreshToken }), /this refresh token/);

    // Per address, counting malformed requests too.
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await post('refresh', '10.0.3.1', { refreshToken: '' })).status).toBe(400);
    expectLimited(await post('refresh', '10.0.3.1', { refreshToken: '' }), /refreshes from this address/);
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await post('logout', '10.0.3.1', { refreshToken: '' })).status).toBe(400);
    expectLimited(await post('logout', '10.0.3.1', { refreshToken: '' }), /logouts from this address/);
  });
});
