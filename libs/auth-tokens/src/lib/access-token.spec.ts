import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { thrownBy } from '@chat/testing';
import { AccessTokenError, publicKeyOf, signAccessToken, verifyAccessToken, type AccessTokenSettings, type AccessTokenSigning } from './access-token';
import { generateSigningKey, publicJwk } from './token-keys';

const current = generateSigningKey('k2');
const previous = generateSigningKey('k1');
const stranger = generateSigningKey('k3');
const claimsOpts = { issuer: 'chat-auth', audience: 'chat' };
const signing: AccessTokenSigning = { signingKey: current, ...claimsOpts };
/** A verifier during a rotation: the current key and the previous one. */
const settings: AccessTokenSettings = { publicKeys: new Map([['k2', current.publicKey], ['k1', previous.publicKey]]), ...claimsOpts };
const subject = { userId: randomUUID(), username: 'ann', tokenId: 'tok-1' };

const reasonOf = (fn: () => unknown): string => thrownBy(fn, AccessTokenError).reason;
const messageOf = (fn: () => unknown): string => thrownBy(fn, AccessTokenError).message;
const payload = { username: 'ann' };
const registered = { subject: subject.userId, jwtid: 'x', ...claimsOpts, expiresIn: 60 };

describe('access tokens', () => {
  it('round-trips the user id, username and token id, signed ES256 with the kid in the header', () => {
    const token = signAccessToken(signing, subject, 60);
    expect(jwt.decode(token, { complete: true })?.header).toMatchObject({ alg: 'ES256', kid: 'k2' });
    const claims = verifyAccessToken(settings, token);
    expect(claims).toMatchObject({ sub: subject.userId, username: 'ann', jti: 'tok-1', role: 'user' });
    expect(claims.sid).toBeUndefined();
  });

  it('carries the session id and the admin role', () => {
    const sessionId = randomUUID();
    const claims = verifyAccessToken(settings, signAccessToken(signing, { ...subject, sessionId, role: 'admin' }, 60));
    expect(claims).toMatchObject({ sid: sessionId, role: 'admin' });
  });

  it('refuses a role it does not know', () => {
    const superuser = jwt.sign({ username: 'ann', role: 'root' }, current.privateKey, { algorithm: 'ES256', keyid: 'k2', ...registered });
    expect(reasonOf(() => verifyAccessToken(settings, superuser))).toBe('invalid');
  });

  it('tells an expired token from an invalid one', () => {
    const token = signAccessToken(signing, subject, 60);
    expect(reasonOf(() => verifyAccessToken(settings, token, Date.now() + 61_000))).toBe('expired');
    expect(reasonOf(() => verifyAccessToken(settings, undefined))).toBe('missing');
  });

  it('refuses a wrong issuer or audience, and malformed claims', () => {
    expect(reasonOf(() => verifyAccessToken({ ...settings, issuer: 'other' }, signAccessToken(signing, subject, 60)))).toBe('invalid');
    expect(reasonOf(() => verifyAccessToken({ ...settings, audience: 'other' }, signAccessToken(signing, subject, 60)))).toBe('invalid');
    const notAUuid = jwt.sign(payload, current.privateKey, { algorithm: 'ES256', keyid: 'k2', ...registered, subject: 'root' });
    expect(reasonOf(() => verifyAccessToken(settings, notAUuid))).toBe('invalid');
    expect(reasonOf(() => verifyAccessToken(settings, 'not.a.jwt'))).toBe('invalid');
  });
});

describe('key rotation', () => {
  it('accepts a token of the previous key while it is still listed (the overlap)', () => {
    const old = signAccessToken({ ...signing, signingKey: previous }, subject, 60);
    expect(verifyAccessToken(settings, old).sub).toBe(subject.userId);
  });

  it('refuses it once the previous key is removed from the set', () => {
    const old = signAccessToken({ ...signing, signingKey: previous }, subject, 60);
    const after = { ...settings, publicKeys: new Map([['k2', current.publicKey]]) };
    expect(messageOf(() => verifyAccessToken(after, old))).toBe('access token invalid: unknown kid "k1"');
  });

  it('refuses an unknown kid, a token without kid, and a listed kid over another key', () => {
    expect(messageOf(() => verifyAccessToken(settings, signAccessToken({ ...signing, signingKey: stranger }, subject, 60)))).toBe('access token invalid: unknown kid "k3"');
    const noKid = jwt.sign(payload, current.privateKey, { algorithm: 'ES256', ...registered });
    expect(messageOf(() => verifyAccessToken(settings, noKid))).toBe('access token invalid: no kid in its header');
    // A forger who knows the kid but not the key.
    const forged = signAccessToken({ ...signing, signingKey: { kid: 'k2', privateKey: stranger.privateKey } }, subject, 60);
    expect(messageOf(() => verifyAccessToken(settings, forged))).toBe('access token invalid: invalid signature');
  });
});

describe('algorithm confusion', () => {
  it('refuses alg none', () => {
    const unsigned = jwt.sign(payload, '', { algorithm: 'none', keyid: 'k2', ...registered });
    expect(reasonOf(() => verifyAccessToken(settings, unsigned))).toBe('invalid');
  });

  it('refuses HS256 keyed with the public key (as PEM and as JWK text), and with any secret', () => {
    const pem = current.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const secret of [pem, JSON.stringify(publicJwk('k2', current.publicKey)), 'x'.repeat(48)]) {
      const forged = hs256(secret, { alg: 'HS256', typ: 'JWT', kid: 'k2' }, { ...payload, sub: subject.userId, jti: 'x', iss: 'chat-auth', aud: 'chat', iat: 1, exp: Math.floor(Date.now() / 1000) + 60 });
      expect(messageOf(() => verifyAccessToken(settings, forged))).toBe('access token invalid: invalid algorithm');
    }
  });

  it('refuses ES384 and RS256 tokens even with a listed kid', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const [algorithm, key] of [['ES384', p384], ['RS256', rsa]] as const) {
      const forged = jwt.sign(payload, key, { algorithm, keyid: 'k2', ...registered });
      expect(messageOf(() => verifyAccessToken(settings, forged))).toBe('access token invalid: invalid algorithm');
    }
  });

  it('verifies with the public key derived from the signing key', () => {
    const own = { ...settings, publicKeys: new Map([['k2', publicKeyOf(current)]]) };
    expect(verifyAccessToken(own, signAccessToken(signing, subject, 60)).username).toBe('ann');
  });
});

/** An HS256 JWT made by hand, as an attacker would (jsonwebtoken refuses to sign HS256 with a PEM). */
function hs256(secret: string, header: object, body: object): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(body)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
