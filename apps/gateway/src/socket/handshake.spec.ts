import { randomUUID } from 'node:crypto';
import { signAccessToken, type AccessTokenSettings } from '@chat/auth-tokens';
import { accessTokenOf, authenticate, isOriginAllowed } from './handshake';

const settings: AccessTokenSettings = { secret: 'k'.repeat(40), issuer: 'chat-auth', audience: 'chat' };
const userId = randomUUID();
const token = signAccessToken(settings, { userId, username: 'alice', tokenId: 't-1' }, 60);

describe('accessTokenOf', () => {
  it('reads a Bearer authorization header', () => {
    expect(accessTokenOf({ headers: { authorization: `Bearer ${token}` }, url: '/ws' })).toBe(token);
    expect(accessTokenOf({ headers: { authorization: `bearer  ${token}` }, url: '/ws' })).toBe(token);
  });

  it('falls back to the access_token query parameter (browsers cannot set headers)', () => {
    expect(accessTokenOf({ headers: {}, url: `/ws?access_token=${token}` })).toBe(token);
    expect(accessTokenOf({ headers: { authorization: 'Basic abc' }, url: `/ws?x=1&access_token=${token}` })).toBe(token);
  });

  it('prefers the header when both are given, and finds nothing in neither', () => {
    expect(accessTokenOf({ headers: { authorization: `Bearer ${token}` }, url: '/ws?access_token=other' })).toBe(token);
    expect(accessTokenOf({ headers: {}, url: '/ws' })).toBeUndefined();
    expect(accessTokenOf({ headers: {}, url: '/ws?access_token=' })).toBeUndefined();
  });
});

describe('authenticate', () => {
  it('returns the claims of a valid token', () => {
    const result = authenticate({ headers: {}, url: `/ws?access_token=${token}` }, settings, Date.now());
    expect(result).toEqual({ claims: expect.objectContaining({ sub: userId, username: 'alice', jti: 't-1' }) });
  });

  it('refuses a missing or invalid token with 4001 and an expired one with 4002', () => {
    const now = Date.now();
    expect(authenticate({ headers: {}, url: '/ws' }, settings, now)).toEqual({ close: 'unauthorized', reason: 'access token required' });
    expect(authenticate({ headers: {}, url: '/ws?access_token=nonsense' }, settings, now)).toEqual({ close: 'unauthorized', reason: 'access token invalid' });
    const forged = signAccessToken({ ...settings, secret: 'x'.repeat(40) }, { userId, username: 'alice', tokenId: 't-2' }, 60);
    expect(authenticate({ headers: { authorization: `Bearer ${forged}` }, url: '/ws' }, settings, now)).toMatchObject({ close: 'unauthorized' });
    expect(authenticate({ headers: { authorization: `Bearer ${token}` }, url: '/ws' }, settings, now + 61_000)).toEqual({
      close: 'token_expired',
      reason: 'access token expired',
    });
  });
});

describe('isOriginAllowed', () => {
  const allowed = ['https://chat.example.com', 'http://localhost:5173'];

  it('allows every origin when no list is configured', () => {
    expect(isOriginAllowed('https://anything.example', [])).toBe(true);
  });

  it('allows listed origins, case-insensitively, and refuses the rest', () => {
    expect(isOriginAllowed('https://chat.example.com', allowed)).toBe(true);
    expect(isOriginAllowed('HTTPS://CHAT.EXAMPLE.COM', allowed)).toBe(true);
    expect(isOriginAllowed('https://evil.example', allowed)).toBe(false);
    expect(isOriginAllowed('http://localhost:5174', allowed)).toBe(false);
    expect(isOriginAllowed('null', allowed)).toBe(false);
  });

  it('lets requests without an Origin through: they do not come from a browser page', () => {
    expect(isOriginAllowed(undefined, allowed)).toBe(true);
  });
});
