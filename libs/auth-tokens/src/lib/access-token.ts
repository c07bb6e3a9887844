import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UserIdSchema, UsernameSchema } from '@chat/protocol';
import type { PublicKeySet, SigningKey } from './token-keys';

/**
 * The only algorithm accepted (ECDSA P-256 with SHA-256). Verification passes jsonwebtoken only
 * this algorithm and only public EC keys, so `alg: none`, HS256 signed with a public key as the
 * secret (algorithm confusion) and every other algorithm are refused. jsonwebtoken (also under
 * passport-jwt in auth) has no EdDSA, hence ES256.
 */
export const ACCESS_TOKEN_ALGORITHM = 'ES256';

/** What a verifier (gateway, auth's guards) needs: the public keys it accepts, by kid. */
export interface AccessTokenSettings {
  publicKeys: PublicKeySet;
  issuer: string;
  audience: string;
}

/** What the signer (auth only) needs: its one current private key. */
export interface AccessTokenSigning {
  signingKey: SigningKey;
  issuer: string;
  audience: string;
}

/** What a user may do beyond chatting: `admin` may send announcements. */
export const UserRoles = ['user', 'admin'] as const;
export type UserRole = (typeof UserRoles)[number];

export const AccessTokenClaimsSchema = z.object({
  sub: UserIdSchema,
  username: UsernameSchema,
  /** Token id, for logs. */
  jti: z.string().min(1).max(100),
  /**
   * The login session (refresh-token family) the token belongs to: logout revokes a session, and
   * gateways then close its sockets and refuse its tokens. Absent only in tokens minted by tools.
   */
  sid: z.uuid().optional(),
  /** Absent = `user`. */
  role: z.enum(UserRoles).default('user'),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type AccessTokenClaims = z.output<typeof AccessTokenClaimsSchema>;

export type TokenRejection = 'missing' | 'expired' | 'invalid';

export class AccessTokenError extends Error {
  constructor(
    readonly reason: TokenRejection,
    message: string,
  ) {
    super(message);
    this.name = 'AccessTokenError';
  }
}

/** Signs a short-lived access token (auth only). */
export function signAccessToken(
  settings: AccessTokenSigning,
  subject: { userId: string; username: string; tokenId: string; sessionId?: string; role?: UserRole },
  ttlSeconds: number,
): string {
  const claims = { username: subject.username, ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId }), ...(subject.role === 'admin' ? { role: subject.role } : {}) };
  return jwt.sign(claims, settings.signingKey.privateKey, {
    algorithm: ACCESS_TOKEN_ALGORITHM,
    keyid: settings.signingKey.kid,
    subject: subject.userId,
    jwtid: subject.tokenId,
    issuer: settings.issuer,
    audience: settings.audience,
    expiresIn: ttlSeconds,
  });
}

/**
 * What jsonwebtoken must check besides the signature and expiry: the one algorithm, issuer and
 * audience. verifyAccessToken (the gateway) and auth's passport-jwt strategy both take them from here.
 */
export function accessTokenVerifyOptions(settings: Pick<AccessTokenSettings, 'issuer' | 'audience'>): { algorithms: [typeof ACCESS_TOKEN_ALGORITHM]; issuer: string; audience: string } {
  return { algorithms: [ACCESS_TOKEN_ALGORITHM], issuer: settings.issuer, audience: settings.audience };
}

/** The claims of a verified token, or AccessTokenError('invalid') when their shape is wrong. */
export function accessTokenClaimsOf(payload: unknown): AccessTokenClaims {
  const claims = AccessTokenClaimsSchema.safeParse(payload);
  if (!claims.success) throw new AccessTokenError('invalid', 'access token claims malformed');
  return claims.data;
}

/**
 * The public key that must have signed `token`, chosen by the `kid` of its header, or
 * AccessTokenError('invalid') when the header names no key of the set (or is not a JWT at all).
 * Auth's passport-jwt strategy uses it as its secretOrKeyProvider.
 */
export function verificationKeyOf(publicKeys: PublicKeySet, token: string): KeyObject {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded === 'string') throw new AccessTokenError('invalid', 'access token invalid: not a JWT');
  const kid = decoded.header.kid;
  if (typeof kid !== 'string') throw new AccessTokenError('invalid', 'access token invalid: no kid in its header');
  const key = publicKeys.get(kid);
  if (!key) throw new AccessTokenError('invalid', `access token invalid: unknown kid "${kid.slice(0, 64)}"`);
  return key;
}

/**
 * Verifies signature (with the public key its kid names), algorithm, issuer, audience and expiry,
 * then the claims' shape. Every failure is an AccessTokenError whose reason tells the caller which
 * close code or status to use.
 */
export function verifyAccessToken(settings: AccessTokenSettings, token: string | undefined | null, now = Date.now()): AccessTokenClaims {
  if (!token) throw new AccessTokenError('missing', 'no access token');
  const key = verificationKeyOf(settings.publicKeys, token);
  let decoded: unknown;
  try {
    decoded = jwt.verify(token, key, { ...accessTokenVerifyOptions(settings), clockTimestamp: Math.floor(now / 1000) });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw new AccessTokenError('expired', 'access token expired');
    throw new AccessTokenError('invalid', `access token invalid: ${error instanceof Error ? error.message : 'unverifiable'}`);
  }
  return accessTokenClaimsOf(decoded);
}

/** The public key of a signing key, e.g. for a verifier in the same process as the signer (auth, tests). */
export function publicKeyOf(signingKey: SigningKey): KeyObject {
  return createPublicKey(signingKey.privateKey);
}
