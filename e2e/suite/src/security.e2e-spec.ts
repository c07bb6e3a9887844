import { spawn } from 'node:child_process';
import { createPublicKey, randomUUID } from 'node:crypto';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { generateSigningKey, parsePrivateKey, privateKeyPem, publicJwks, signAccessToken } from '@chat/auth-tokens';
import { getFreePort } from '@chat/local-infra';
import { CloseCodes, type ServerFrame } from '@chat/protocol';
import { useChatSuite } from './support/chat-suite';
import { type TestUser, useChatUsers } from './support/chat-users';
import { suiteTokenSigning } from './support/access-tokens';
import { e2e } from './support/environment';
import { expectEventually } from '@chat/testing';
import { FrameSocket } from './support/fuzz-socket';

/*
 * Attacks on the edges, against the real services: forged and stale tokens, requests about other
 * people's conversations, probing which usernames exist, looking for password hashes, replaying a
 * rotated refresh token, a page on a foreign origin, and a production deployment left with a weak
 * secret. Gateway 1 only admits pages from ALLOWED_ORIGIN.
 */

const ALLOWED_ORIGIN = 'https://chat.example.com';

const suite = useChatSuite({ label: 'security', gateways: [{}, { env: { ALLOWED_ORIGINS: ALLOWED_ORIGIN } }] });
const users = useChatUsers(suite);

/** What the suite's auth signs with. */
const tokenSettings = suiteTokenSigning;

interface HttpAnswer {
  status: number;
  text: string;
  body: unknown;
}

async function http(method: 'GET' | 'POST', urlPath: string, { body, token }: { body?: unknown; token?: string } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${suite().authUrl}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, body: text ? (JSON.parse(text) as unknown) : undefined };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The tokens an attacker would try, each named, all for a real user. */
function forgedTokens(user: TestUser): Array<{ name: string; token: string; closeCode: number; errorCode: string }> {
  const subject = { userId: user.userId, username: user.username, tokenId: randomUUID() };
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: user.userId, username: user.username, jti: randomUUID(), iat: now, exp: now + 300, iss: 'chat-auth', aud: 'chat' };
  const unauthorized = { closeCode: CloseCodes.unauthorized.code, errorCode: 'invalid_access_token' };
  return [
    { name: 'alg none', token: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`, ...unauthorized },
    { name: 'alg none, signature kept', token: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.${user.session.accessToken.split('.')[2]}`, ...unauthorized },
    // Algorithm confusion: HS256 keyed with the public key the verifiers hold (as PEM and as JWKS text).
    { name: 'HS256 keyed with the public key', token: jwt.sign(claims, publicPem(), { algorithm: 'HS256', keyid: e2e.jwtKeys.keyId }), ...unauthorized },
    { name: 'HS512 keyed with the JWKS', token: jwt.sign(claims, e2e.jwtKeys.publicJwks, { algorithm: 'HS512', keyid: e2e.jwtKeys.keyId }), ...unauthorized },
    { name: 'a key the gateway does not list', token: signAccessToken({ ...tokenSettings(), signingKey: generateSigningKey('rogue') }, subject, 300), ...unauthorized },
    { name: 'another key under the listed kid', token: signAccessToken({ ...tokenSettings(), signingKey: { kid: e2e.jwtKeys.keyId, privateKey: generateSigningKey('x').privateKey } }, subject, 300), ...unauthorized },
    { name: 'wrong audience', token: signAccessToken({ ...tokenSettings(), audience: 'admin' }, subject, 300), ...unauthorized },
    { name: 'wrong issuer', token: signAccessToken({ ...tokenSettings(), issuer: 'evil-auth' }, subject, 300), ...unauthorized },
    { name: 'payload swapped', token: `${user.session.accessToken.split('.')[0]}.${base64url({ ...claims, sub: randomUUID() })}.${user.session.accessToken.split('.')[2]}`, ...unauthorized },
    { name: 'expired', token: signAccessToken(tokenSettings(), subject, -60), closeCode: CloseCodes.token_expired.code, errorCode: 'access_token_expired' },
  ];
}

/** The suite's public key as PEM, what an attacker would try as an HMAC secret. */
function publicPem(): string {
  return createPublicKey(parsePrivateKey(e2e.jwtKeys.privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function errorCodeOf(answer: HttpAnswer): string | undefined {
  return (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
}

/** Runs a built service with exactly `env` (no inherited NODE_ENV) and resolves its exit code and output. */
function runUntilExit(service: 'auth' | 'gateway', env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const entry = path.join(e2e.workspaceRoot, 'dist', 'apps', service, 'main.js');
  const child = spawn(process.execPath, [entry, ...args], { cwd: e2e.workspaceRoot, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('security, end to end', () => {
  it('the running auth answers with its Express settings and serves its API document (the configure hook ran)', async () => {
    const oversized = await fetch(`${suite().authUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'x', password: 'y'.repeat(20_000) }) });
    expect({ status: oversized.status, body: await oversized.json(), poweredBy: oversized.headers.get('x-powered-by') }).toEqual({
      status: 413,
      body: { error: { code: 'payload_too_large', message: 'request body exceeds 16 KiB' } },
      poweredBy: null,
    });
    const traceId = 'a'.repeat(32);
    const docs = await fetch(`${suite().authUrl}/auth/docs-json`, { headers: { 'x-trace-id': traceId } });
    expect(docs.headers.get('x-trace-id')).toBe(traceId);
    const document = (await docs.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).sort()).toEqual(['/auth/login', '/auth/logout', '/auth/logout-everywhere', '/auth/me', '/auth/refresh', '/auth/register', '/auth/users/lookup']);
  });

  it('forged, re-signed and stale tokens are refused by the gateway (4001/4002) and by GET /auth/me (401)', async () => {
    const alice = await users.register('forge');
    for (const forged of forgedTokens(alice)) {
      const socket = new FrameSocket(suite().gatewayUrl(), { token: forged.token });
      const close = await socket.closed;
      const me = await http('GET', '/auth/me', { token: forged.token });
      expect({ name: forged.name, close: close.code, status: me.status, code: errorCodeOf(me), frames: socket.frames }).toEqual({
        name: forged.name,
        close: forged.closeCode,
        status: 401,
        code: forged.errorCode,
        frames: [],
      });
    }
    // The genuine token still works, so the refusals above are about the tokens.
    expect((await http('GET', '/auth/me', { token: alice.session.accessToken })).body).toEqual({ userId: alice.userId, username: alice.username });
  });

  it('a non-member can neither read nor write a conversation: every request gets not_member and nothing is stored or delivered', async () => {
    const [alice, bob, mallory] = await users.registerMany(3, 'member');
    if (!alice || !bob || !mallory) throw new Error('registration failed');
    const a = await users.connect(alice);
    const b = await users.connect(bob);
    const group = await a.client.createGroup('private', [bob.userId]);
    const conversationId = group.conversationId;
    await expectEventually(() => expect(b.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId));
    await a.client.sendAndWaitStored(conversationId, 'for members only');

    const m = new FrameSocket(suite().gatewayUrl(), { token: mallory.session.accessToken });
    await m.open();
    const requests = [
      { type: 'send', id: 'send-1', conversationId, clientMsgId: 'intrusion-1', body: 'let me in' },
      { type: 'history', id: 'history-1', conversationId },
      { type: 'sync', id: 'sync-1', conversations: [{ conversationId, afterSeq: 0 }] },
      { type: 'receipt', id: 'receipt-1', conversationId, seq: 1, status: 'read' },
      { type: 'add_members', id: 'add-1', conversationId, userIds: [mallory.userId] },
      { type: 'remove_member', id: 'remove-1', conversationId, userId: bob.userId },
    ];
    for (const request of requests) m.sendFrame(request);
    m.sendFrame({ type: 'typing', id: 'typing-1', conversationId, active: true });
    for (const request of requests) {
      const answer = await m.waitFor((frame) => frame.type === 'error' && frame.replyTo === request.id);
      expect({ request: request.type, answer }).toEqual({ request: request.type, answer: expect.objectContaining({ code: 'not_member' }) });
    }

    // Typing is dropped silently; alice's own typing after it proves the pipeline ran past it.
    a.client.typing(conversationId, true);
    await expectEventually(() => expect(b.typing.map((frame) => frame.userId)).toContain(alice.userId));
    await a.client.sendAndWaitStored(conversationId, 'still private');
    await expectEventually(() => expect(b.seen(conversationId).map(([, body]) => body)).toEqual(['for members only', 'still private']));

    expect(b.typing.filter((frame) => frame.userId === mallory.userId)).toEqual([]);
    expect(b.receipts.filter((frame) => frame.userId === mallory.userId)).toEqual([]);
    const page = await a.client.history(conversationId);
    expect(page.messages.map((message) => [message.seq, message.senderId, message.body])).toEqual([
      [1, alice.userId, 'for members only'],
      [2, alice.userId, 'still private'],
    ]);
    const [listed] = (await a.client.listConversations()).filter((summary) => summary.conversationId === conversationId);
    expect(listed?.memberIds.slice().sort()).toEqual([alice.userId, bob.userId].sort());
    // Mallory learnt nothing: her own session frame (no contacts online), the accepted (durable in
    // Kafka, not stored), the refusals, and announcements (meant for everyone; other e2e files on
    // this broker send some that are still current).
    const leaked = m.frames.filter((frame: ServerFrame) => !['session', 'accepted', 'error', 'announcement'].includes(frame.type));
    expect(leaked).toEqual([]);
    expect(m.frames.filter((frame: ServerFrame) => frame.type === 'session')).toEqual([expect.objectContaining({ userId: mallory.userId, onlineContactIds: [] })]);
    m.close();
  });

  it('login does not tell unknown usernames from wrong passwords, by text, status or timing', async () => {
    const alice = await users.register('enum');
    const unknown = `nobody-${randomUUID().slice(0, 8)}`;
    const attempt = async (username: string): Promise<{ ms: number; answer: HttpAnswer }> => {
      const started = process.hrtime.bigint();
      const answer = await http('POST', '/auth/login', { body: { username, password: 'wrong-password-123' } });
      return { ms: Number(process.hrtime.bigint() - started) / 1e6, answer };
    };
    // Warm-up (first argon2 runs, connection setup), then interleaved so drift hits both alike.
    await attempt(unknown);
    await attempt(alice.username);
    const known: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      const wrongPassword = await attempt(alice.username);
      const unknownUser = await attempt(unknown);
      expect(unknownUser.answer.status).toBe(401);
      expect(unknownUser.answer.text).toBe(wrongPassword.answer.text);
      expect(unknownUser.answer.status).toBe(wrongPassword.answer.status);
      known.push(wrongPassword.ms);
      missing.push(unknownUser.ms);
    }
    const ratio = median(missing) / median(known);
    // Generous bounds: a skipped password check would be ~100x faster, not 2x.
    expect({ ratio, known: median(known), missing: median(missing) }).toEqual({ ratio: expect.any(Number), known: expect.any(Number), missing: expect.any(Number) });
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('password hashes are never returned nor logged, nor is the password', async () => {
    const username = `hash-${randomUUID().slice(0, 8)}`;
    const password = `pw-${randomUUID()}`;
    const registered = await http('POST', '/auth/register', { body: { username, password } });
    const login = await http('POST', '/auth/login', { body: { username, password } });
    const wrong = await http('POST', '/auth/login', { body: { username, password: `${password}x` } });
    const me = await http('GET', '/auth/me', { token: (login.body as { accessToken: string }).accessToken });
    expect([registered.status, login.status, wrong.status, me.status]).toEqual([201, 200, 401, 200]);
    for (const answer of [registered, login, wrong, me]) {
      expect(answer.text).not.toContain('$argon2');
      expect(answer.text).not.toContain(password);
      expect(answer.text).not.toMatch(/password_?hash/i);
    }
    const output = suite().process('auth').output();
    expect(output).toContain(username.toLowerCase());
    expect(output).not.toContain('$argon2');
    expect(output).not.toContain(password);
  });

  it('the user directory finds people by name or id for a signed-in user only, and tells nothing but id and name', async () => {
    const [ann, bob] = await Promise.all([users.register('dir-ann'), users.register('dir-bob')]);
    const found = await ann.session.lookupUsers({ usernames: [bob.username.toUpperCase(), 'nobody-by-this-name'], userIds: [ann.userId, randomUUID()] });
    expect(found.sort((a, b) => a.username.localeCompare(b.username))).toEqual([
      { userId: ann.userId, username: ann.username },
      { userId: bob.userId, username: bob.username },
    ]);
    const anonymous = await http('POST', '/auth/users/lookup', { body: { usernames: [bob.username] } });
    expect(anonymous.status).toBe(401);
    const tooMany = await http('POST', '/auth/users/lookup', { token: ann.session.accessToken, body: { userIds: Array.from({ length: 101 }, () => randomUUID()) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ error: { code: 'validation_failed', message: expect.stringContaining('at most 100 user ids') } });
  });

  it('reusing a rotated refresh token revokes the whole family, the newest token included', async () => {
    const alice = await users.register('reuse');
    const login = await http('POST', '/auth/login', { body: { username: alice.username, password: alice.password } });
    const first = (login.body as { refreshToken: string }).refreshToken;
    const second = await http('POST', '/auth/refresh', { body: { refreshToken: first } });
    expect(second.status).toBe(200);
    const third = await http('POST', '/auth/refresh', { body: { refreshToken: (second.body as { refreshToken: string }).refreshToken } });
    expect(third.status).toBe(200);
    const newest = (third.body as { refreshToken: string }).refreshToken;

    const replay = await http('POST', '/auth/refresh', { body: { refreshToken: first } });
    expect([replay.status, errorCodeOf(replay)]).toEqual([401, 'refresh_token_reused']);
    const afterReplay = await http('POST', '/auth/refresh', { body: { refreshToken: newest } });
    expect(afterReplay.status).toBe(401);
    // Another session of the same user (the one the test user logged in with) is a different family.
    await expect(alice.session.refresh()).resolves.toMatchObject({ userId: alice.userId });
  });

  it('a socket opens with the token in the chat.auth.<token> subprotocol; a token in the URL is refused with 4001, even a valid one', async () => {
    const alice = await users.register('subproto');
    const token = alice.session.accessToken;
    const browserLike = new FrameSocket(suite().gatewayUrl(), { protocols: ['chat.v1.json', `chat.auth.${token}`] });
    await browserLike.open();
    await browserLike.roundTrip('subprotocol');
    browserLike.close();

    const inUrl = new FrameSocket(`${suite().gatewayUrl()}?access_token=${encodeURIComponent(token)}`);
    expect(await inUrl.closed).toEqual({ code: CloseCodes.unauthorized.code, reason: 'access token in the URL refused; offer it as subprotocol chat.auth.<token>' });
    // The SDK (Node and browser factories) offers the subprotocol: it connects.
    const device = await users.connect(alice);
    await device.client.listConversations();
  });

  it('concurrent refreshes of one refresh token: exactly one gets new tokens, the others are refused as reuse and the session ends', async () => {
    const alice = await users.register('race');
    for (let round = 0; round < 3; round += 1) {
      const login = await http('POST', '/auth/login', { body: { username: alice.username, password: alice.password } });
      const { refreshToken } = login.body as { refreshToken: string };
      const answers = await Promise.all(Array.from({ length: 6 }, () => http('POST', '/auth/refresh', { body: { refreshToken } })));
      const winners = answers.filter((answer) => answer.status === 200);
      expect({ round, winners: winners.length, losers: answers.filter((answer) => answer.status === 401).map(errorCodeOf) }).toEqual({
        round,
        winners: 1,
        losers: Array.from({ length: 5 }, () => 'refresh_token_reused'),
      });
      // The reuse rule: a spent token coming back ends the family, the winner's new token included.
      const next = (winners[0]?.body as { refreshToken: string }).refreshToken;
      expect((await http('POST', '/auth/refresh', { body: { refreshToken: next } })).status).toBe(401);
    }
  });

  it('the upgrade checks Origin against ALLOWED_ORIGINS: a listed origin connects, another gets 4003', async () => {
    const alice = await users.register('origin');
    const token = alice.session.accessToken;
    const listed = new FrameSocket(suite().gatewayUrl(1), { token, origin: ALLOWED_ORIGIN });
    await listed.open();
    await listed.roundTrip('listed');

    for (const origin of ['https://evil.example.com', 'https://chat.example.com.evil.net', 'http://chat.example.com', 'null']) {
      const foreign = new FrameSocket(suite().gatewayUrl(1), { token, origin });
      expect({ origin, close: (await foreign.closed).code }).toEqual({ origin, close: CloseCodes.forbidden_origin.code });
    }
    // Without Origin it is not a browser page: the token decides. Gateway 0 has no list: any origin.
    const native = new FrameSocket(suite().gatewayUrl(1), { token });
    await native.open();
    const open = new FrameSocket(suite().gatewayUrl(0), { token, origin: 'https://evil.example.com' });
    await open.open();
    expect(listed.isOpen).toBe(true);
    for (const socket of [listed, native, open]) socket.close();
  });

  it('auth and gateway refuse to start (exit 78) with misplaced, missing or malformed keys, naming the variable and never echoing a key', async () => {
    const own = generateSigningKey('prod-1');
    const pem = privateKeyPem(own.privateKey);
    const baseEnv = async (service: 'auth' | 'gateway'): Promise<Record<string, string>> => ({
      NODE_ENV: 'production',
      KAFKA_BROKERS: e2e.kafkaBrokers,
      HTTP_PORT: String(await getFreePort()),
      INSTANCE_ID: `${service}-prod-check`,
      ...(service === 'auth' ? { DATABASE_URL: e2e.databaseUrlFor('chat_auth'), JWT_PRIVATE_KEY: pem, JWT_KEY_ID: 'prod-1' } : { JWT_PUBLIC_KEYS: publicJwks([own]) }),
    });
    const privateJwks = JSON.stringify({ keys: [{ ...own.privateKey.export({ format: 'jwk' }), kid: 'prod-1' }] });
    const cases: Array<{ service: 'auth' | 'gateway'; name: string; variable: string; change: Record<string, string | undefined> }> = [
      { service: 'auth', name: 'no private key', variable: 'JWT_PRIVATE_KEY', change: { JWT_PRIVATE_KEY: undefined } },
      { service: 'auth', name: 'no kid', variable: 'JWT_KEY_ID', change: { JWT_KEY_ID: undefined } },
      { service: 'auth', name: 'a leftover JWT_SECRET', variable: 'JWT_SECRET', change: { JWT_SECRET: 'k7Qp2xVb9LmN4sTz8RcW1yHd6FgJ3aEu0oIiBvCn' } },
      { service: 'auth', name: 'a malformed key', variable: 'JWT_PRIVATE_KEY', change: { JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' } },
      { service: 'gateway', name: 'the private key', variable: 'JWT_PRIVATE_KEY', change: { JWT_PRIVATE_KEY: pem } },
      { service: 'gateway', name: 'a private JWK', variable: 'JWT_PUBLIC_KEYS', change: { JWT_PUBLIC_KEYS: privateJwks } },
      { service: 'gateway', name: 'no public keys', variable: 'JWT_PUBLIC_KEYS', change: { JWT_PUBLIC_KEYS: undefined } },
    ];
    const results = await Promise.all(
      cases.map(async ({ service, name, variable, change }) => {
        const env = Object.fromEntries(Object.entries({ ...(await baseEnv(service)), ...change }).filter((entry): entry is [string, string] => entry[1] !== undefined));
        const result = await runUntilExit(service, env);
        return { service, name, code: result.code, namesVariable: result.output.includes(variable), echoesKey: result.output.includes(pem.split('\n')[1] ?? pem) || result.output.includes(String((own.privateKey.export({ format: 'jwk' }) as { d?: string }).d)) };
      }),
    );
    expect(results).toEqual(cases.map(({ service, name }) => ({ service, name, code: 78, namesVariable: true, echoesKey: false })));

    // The right key in the right place passes the same production checks.
    for (const service of ['auth', 'gateway'] as const) {
      const result = await runUntilExit(service, await baseEnv(service), ['--check-config']);
      expect({ service, code: result.code, output: result.output }).toEqual({ service, code: 0, output: expect.stringContaining('configuration valid') });
    }
  });
});
