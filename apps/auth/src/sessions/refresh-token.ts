import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 32;
/** `<tokenId>.<secret>`: a UUID naming the stored row, then 32 random bytes in base64url (43 characters). */
const REFRESH_TOKEN_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export interface RefreshTokenParts {
  tokenId: string;
  secret: string;
}

export interface NewRefreshToken extends RefreshTokenParts {
  /** What the client gets. */
  token: string;
  /** What the database gets. */
  secretHash: Buffer;
}

/** An opaque refresh token. The id makes lookup a primary-key read; only the secret's hash is stored. */
export function newRefreshToken(): NewRefreshToken {
  const tokenId = randomUUID();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { tokenId, secret, token: `${tokenId}.${secret}`, secretHash: hashSecret(secret) };
}

/** The parts of a well-formed token, or null for anything else. */
export function parseRefreshToken(token: string): RefreshTokenParts | null {
  const match = REFRESH_TOKEN_PATTERN.exec(token);
  return match ? { tokenId: match[1], secret: match[2] } : null;
}

/**
 * SHA-256 suffices (no salt, no stretching): the secret is 256 random bits, so there is nothing to
 * guess from a leaked hash, unlike a password.
 */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(storedHash: Buffer, secret: string): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(storedHash, presented);
}
