import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { thrownBy } from '@chat/testing';
import { AccessTokenError, signAccessToken, verifyAccessToken, type AccessTokenSettings } from './access-token';

const settings: AccessTokenSettings = { secret: 'a'.repeat(48), issuer: 'chat-auth', audience: 'chat' };
const subject = { userId: randomUUID(), username: 'ann', tokenId: 'tok-1' };

const reasonOf = (fn: () => unknown): string => thrownBy(fn, AccessTokenError).reason;

describe('access tokens', () => {
  it('round-trips the user id, username and token id', () => {
    const claims = verifyAccessToken(settings, signAccessToken(settings, subject, 60));
    expect(claims).toMatchObject({ sub: subject.userId, username: 'ann', jti: 'tok-1', role: 'user' });
    expect(claims.sid).toBeUndefined();
  });

  it('carries the session id and the admin role', () => {
    const sessionId = randomUUID();
    const claims = verifyAccessToken(settings, signAccessToken(settings, { ...subject, sessionId, role: 'admin' }, 60));
    expect(claims).toMatchObject({ sid: sessionId, role: 'admin' });
  });

  it('refuses a role it does not know', () => {
    const superuser = jwt.sign({ username: 'ann', role: 'root' }, settings.secret, { algorithm: 'HS256', subject: subject.userId, jwtid: 'x', issuer: 'chat-auth', audience: 'chat', expiresIn: 60 });
    expect(reasonOf(() => verifyAccessToken(settings, superuser))).toBe('invalid');
  });

  it('tells an expired token from an invalid one', () => {
    const token = signAccessToken(settings, subject, 60);
    expect(reasonOf(() => verifyAccessToken(settings, token, Date.now() + 61_000))).toBe('expired');
    expect(reasonOf(() => verifyAccessToken({ ...settings, secret: 'b'.repeat(48) }, token))).toBe('invalid');
    expect(reasonOf(() => verifyAccessToken(settings, undefined))).toBe('missing');
  });

  it('refuses alg none, a wrong issuer or audience, and malformed claims', () => {
    const unsigned = jwt.sign({ username: 'ann' }, '', { algorithm: 'none', subject: subject.userId, issuer: 'chat-auth', audience: 'chat' });
    expect(reasonOf(() => verifyAccessToken(settings, unsigned))).toBe('invalid');
    expect(reasonOf(() => verifyAccessToken({ ...settings, issuer: 'other' }, signAccessToken(settings, subject, 60)))).toBe('invalid');
    expect(reasonOf(() => verifyAccessToken({ ...settings, audience: 'other' }, signAccessToken(settings, subject, 60)))).toBe('invalid');
    const notAUuid = jwt.sign({ username: 'ann' }, settings.secret, { algorithm: 'HS256', subject: 'root', jwtid: 'x', issuer: 'chat-auth', audience: 'chat', expiresIn: 60 });
    expect(reasonOf(() => verifyAccessToken(settings, notAUuid))).toBe('invalid');
  });
});
