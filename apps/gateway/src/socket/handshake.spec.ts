import { randomUUID } from 'node:crypto';
import { accessTokenSettings, generateSigningKey, signAccessToken } from '@chat/auth-tokens';
import { accessTokenOf, authenticate, isOriginAllowed } from './handshake';

const key = generateSigningKey('k1');
const settings = { ...accessTokenSettings({ JWT_PRIVATE_KEY: key.privateKey, JWT_KEY_ID: 'k1', JWT_ISSUER: 'chat-auth', JWT_AUDIENCE: 'chat' }), signingKey: key };
const userId = randomUUID();
const token = signAccessToken(settings, { userId, username: 'alice', tokenId: 't-1' }, 60);
const strict = { acceptQueryToken: false };
const legacy = { acceptQueryToken: true };
const URL_REFUSAL = { close: 'unauthorized', reason: 'access token in the URL refused; offer it as subprotocol chat.auth.<token>' };

describe('accessTokenOf', () => {
  it('reads a Bearer authorization header', () => {
    expect(accessTokenOf({ headers: { authorization: `Bearer ${token}` }, url: '/ws' }, strict)).toEqual({ token });
    expect(accessTokenOf({ headers: { authorization: `bearer  ${token}` }, url: '/ws' }, strict)).toEqual({ token });
  });

  it('reads the chat.auth.<token> subprotocol (browsers cannot set headers)', () => {
    expect(accessTokenOf({ headers: { 'sec-websocket-protocol': `chat.v1.json, chat.auth.${token}` }, url: '/ws' }, strict)).toEqual({ token });
    expect(accessTokenOf({ headers: { 'sec-websocket-protocol': 'chat.v1.json, chat.auth.' }, url: '/ws' }, strict)).toEqual({ token: undefined });
  });

  it('refuses a token in the URL unless legacy clients are accepted (WS_ACCEPT_QUERY_TOKEN)', () => {
    expect(accessTokenOf({ headers: {}, url: `/ws?access_token=${token}` }, strict)).toEqual(URL_REFUSAL);
    expect(accessTokenOf({ headers: { authorization: `Bearer ${token}` }, url: '/ws?access_token=other' }, strict)).toEqual(URL_REFUSAL);
    expect(accessTokenOf({ headers: {}, url: `/ws?x=1&access_token=${token}` }, legacy)).toEqual({ token });
  });

  it('prefers the header, then the subprotocol, and finds nothing in neither', () => {
    expect(accessTokenOf({ headers: { authorization: `Bearer ${token}`, 'sec-websocket-protocol': 'chat.auth.other' }, url: '/ws?access_token=other' }, legacy)).toEqual({ token });
    expect(accessTokenOf({ headers: { 'sec-websocket-protocol': `chat.auth.${token}` }, url: '/ws?access_token=other' }, legacy)).toEqual({ token });
    expect(accessTokenOf({ headers: {}, url: '/ws' }, strict)).toEqual({ token: undefined });
    expect(accessTokenOf({ headers: {}, url: '/ws?access_token=' }, legacy)).toEqual({ token: undefined });
  });
});

describe('authenticate', () => {
  it('returns the claims of a valid token', () => {
    const result = authenticate({ headers: { 'sec-websocket-protocol': `chat.v1.json, chat.auth.${token}` }, url: '/ws' }, settings, Date.now());
    expect(result).toEqual({ claims: expect.objectContaining({ sub: userId, username: 'alice', jti: 't-1' }) });
  });

  it('refuses a missing or invalid token with 4001 and an expired one with 4002', () => {
    const now = Date.now();
    expect(authenticate({ headers: {}, url: '/ws' }, settings, now)).toEqual({ close: 'unauthorized', reason: 'access token required' });
    expect(authenticate({ headers: {}, url: '/ws?access_token=nonsense' }, settings, now, legacy)).toEqual({ close: 'unauthorized', reason: 'access token invalid' });
    expect(authenticate({ headers: {}, url: `/ws?access_token=${token}` }, settings, now)).toEqual(URL_REFUSAL);
    const forged = signAccessToken({ ...settings, signingKey: generateSigningKey('k2') }, { userId, username: 'alice', tokenId: 't-2' }, 60);
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
