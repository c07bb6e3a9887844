import { secretMatches } from './refresh-token';

/** What rotation needs to know about a stored refresh token. */
export interface StoredRefreshToken {
  id: string;
  familyId: string;
  userId: string;
  secretHash: Buffer;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
}

export type RefreshDecision<T extends StoredRefreshToken> =
  /** Valid: revoke it, point it at a new token of the same family, hand the new one out. */
  | { action: 'rotate'; token: T }
  /** A token that was already exchanged came back: a copy leaked (or a client raced itself). Revoke the family. */
  | { action: 'revoke_family'; reason: 'reused'; token: T }
  | { action: 'reject'; reason: 'unknown' | 'expired' | 'revoked' };

/**
 * The rotation rule, apart from storage. A token whose secret does not match is treated as unknown,
 * never as reuse: guessing a token id must not let anyone revoke someone else's session. Reuse is
 * checked before expiry, so a leaked old token still burns its family after it expired.
 */
export function decideRefresh<T extends StoredRefreshToken>(stored: T | null, secret: string, now: Date): RefreshDecision<T> {
  if (!stored || !secretMatches(stored.secretHash, secret)) return { action: 'reject', reason: 'unknown' };
  if (stored.replacedBy !== null) return { action: 'revoke_family', reason: 'reused', token: stored };
  if (stored.revokedAt !== null) return { action: 'reject', reason: 'revoked' };
  if (stored.expiresAt.getTime() <= now.getTime()) return { action: 'reject', reason: 'expired' };
  return { action: 'rotate', token: stored };
}

/** Logout ends the token's whole family, provided the caller holds the token (any state: logout is idempotent). */
export function decideLogout<T extends StoredRefreshToken>(stored: T | null, secret: string): { action: 'revoke_family'; token: T } | { action: 'unknown' } {
  return stored && secretMatches(stored.secretHash, secret) ? { action: 'revoke_family', token: stored } : { action: 'unknown' };
}
