import { randomUUID } from 'node:crypto';
import { hashSecret, newRefreshToken, parseRefreshToken } from './refresh-token';
import { decideLogout, decideRefresh, type StoredRefreshToken } from './rotation';

const now = new Date('2030-01-01T00:00:00Z');

function stored(overrides: Partial<StoredRefreshToken> = {}): { row: StoredRefreshToken; secret: string } {
  const token = newRefreshToken();
  const row: StoredRefreshToken = {
    id: token.tokenId,
    familyId: randomUUID(),
    userId: randomUUID(),
    secretHash: token.secretHash,
    expiresAt: new Date(now.getTime() + 60_000),
    revokedAt: null,
    replacedBy: null,
    ...overrides,
  };
  return { row, secret: token.secret };
}

describe('refresh tokens', () => {
  it('are "<uuid>.<43 base64url chars>" and parse back into their parts', () => {
    const token = newRefreshToken();
    expect(token.token).toMatch(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    expect(parseRefreshToken(token.token)).toEqual({ tokenId: token.tokenId, secret: token.secret });
    expect(token.secretHash.equals(hashSecret(token.secret))).toBe(true);
    expect(newRefreshToken().secret).not.toBe(token.secret);
  });

  it.each(['', 'abc', `${randomUUID()}.short`, `${randomUUID()}.${'a'.repeat(43)}x`, `not-a-uuid.${'a'.repeat(43)}`, `${randomUUID()}.${'+'.repeat(43)}`])(
    'refuses the malformed token %j',
    (token) => {
      expect(parseRefreshToken(token)).toBeNull();
    },
  );
});

describe('decideRefresh', () => {
  it('rotates a live token presented with its secret', () => {
    const { row, secret } = stored();
    expect(decideRefresh(row, secret, now)).toEqual({ action: 'rotate', token: row });
  });

  it('treats an unknown token, or a known id with the wrong secret, as unknown (never as reuse)', () => {
    const { row } = stored({ replacedBy: randomUUID(), revokedAt: now });
    expect(decideRefresh(null, 'x'.repeat(43), now)).toEqual({ action: 'reject', reason: 'unknown' });
    expect(decideRefresh(row, newRefreshToken().secret, now)).toEqual({ action: 'reject', reason: 'unknown' });
  });

  it('revokes the family when an already rotated token comes back, even after it expired', () => {
    const rotated = stored({ revokedAt: now, replacedBy: randomUUID() });
    expect(decideRefresh(rotated.row, rotated.secret, now)).toMatchObject({ action: 'revoke_family', reason: 'reused' });
    const rotatedLongAgo = stored({ revokedAt: new Date(0), replacedBy: randomUUID(), expiresAt: new Date(1) });
    expect(decideRefresh(rotatedLongAgo.row, rotatedLongAgo.secret, now)).toMatchObject({ action: 'revoke_family', reason: 'reused' });
  });

  it('rejects a token revoked by logout or by its family being revoked, without another revocation', () => {
    const { row, secret } = stored({ revokedAt: now });
    expect(decideRefresh(row, secret, now)).toEqual({ action: 'reject', reason: 'revoked' });
  });

  it('rejects an expired token from its expiry instant on', () => {
    const { row, secret } = stored({ expiresAt: now });
    expect(decideRefresh(row, secret, now)).toEqual({ action: 'reject', reason: 'expired' });
    expect(decideRefresh(row, secret, new Date(now.getTime() - 1))).toMatchObject({ action: 'rotate' });
  });
});

describe('decideLogout', () => {
  it('revokes the family of any token the caller really holds, whatever its state', () => {
    for (const overrides of [{}, { revokedAt: now }, { revokedAt: now, replacedBy: randomUUID() }, { expiresAt: new Date(0) }]) {
      const { row, secret } = stored(overrides);
      expect(decideLogout(row, secret)).toEqual({ action: 'revoke_family', token: row });
    }
  });

  it('does nothing for an unknown token or a wrong secret', () => {
    const { row } = stored();
    expect(decideLogout(null, 'x')).toEqual({ action: 'unknown' });
    expect(decideLogout(row, newRefreshToken().secret)).toEqual({ action: 'unknown' });
  });
});
