import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UserIdSchema, UsernameSchema } from '@chat/protocol';

/** The only algorithm accepted; `alg: none` and asymmetric confusion are refused by construction. */
export const ACCESS_TOKEN_ALGORITHM = 'HS256';

export interface AccessTokenSettings {
  secret: string;
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

const secretKeys = new WeakMap<AccessTokenSettings, KeyObject>();

/**
 * The secret as a KeyObject, made once per settings object: given a string, jsonwebtoken first tries
 * to parse it as a PEM public/private key on every call (a thrown and caught error, ~0.6 ms), which
 * made token checks the gateway's top cost in a connect storm.
 */
function secretKey(settings: AccessTokenSettings): KeyObject {
  let key = secretKeys.get(settings);
  if (!key) {
    key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
    secretKeys.set(settings, key);
  }
  return key;
}

/** Signs a short-lived access token (auth only). */
export function signAccessToken(
  settings: AccessTokenSettings,
  subject: { userId: string; username: string; tokenId: string; sessionId?: string; role?: UserRole },
  ttlSeconds: number,
): string {
  const claims = { username: subject.username, ...(subject.sessionId === undefined ? {} : { sid: subject.sessionId }), ...(subject.role === 'admin' ? { role: subject.role } : {}) };
  return jwt.sign(claims, secretKey(settings), {
    algorithm: ACCESS_TOKEN_ALGORITHM,
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
export function accessTokenVerifyOptions(settings: AccessTokenSettings): { algorithms: [typeof ACCESS_TOKEN_ALGORITHM]; issuer: string; audience: string } {
  return { algorithms: [ACCESS_TOKEN_ALGORITHM], issuer: settings.issuer, audience: settings.audience };
}

/** The claims of a verified token, or AccessTokenError('invalid') when their shape is wrong. */
export function accessTokenClaimsOf(payload: unknown): AccessTokenClaims {
  const claims = AccessTokenClaimsSchema.safeParse(payload);
  if (!claims.success) throw new AccessTokenError('invalid', 'access token claims malformed');
  return claims.data;
}

/**
 * Verifies signature, algorithm, issuer, audience and expiry, then the claims' shape. Every failure
 * is an AccessTokenError whose reason tells the caller which close code or status to use.
 */
export function verifyAccessToken(settings: AccessTokenSettings, token: string | undefined | null, now = Date.now()): AccessTokenClaims {
  if (!token) throw new AccessTokenError('missing', 'no access token');
  let decoded: unknown;
  try {
    decoded = jwt.verify(token, secretKey(settings), { ...accessTokenVerifyOptions(settings), clockTimestamp: Math.floor(now / 1000) });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw new AccessTokenError('expired', 'access token expired');
    throw new AccessTokenError('invalid', `access token invalid: ${error instanceof Error ? error.message : 'unverifiable'}`);
  }
  return accessTokenClaimsOf(decoded);
}
