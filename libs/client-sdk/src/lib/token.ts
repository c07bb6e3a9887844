/** Why the client asks for a token: a (re)connect, or the gateway closed with 4002 token_expired. */
export type TokenReason = 'connect' | 'expired';

/**
 * Where the client gets its access token. Called before every connection attempt; on `expired` it
 * must return a fresh token (e.g. through AuthClient.refresh), not the one that just expired.
 */
export type TokenProvider = (reason: TokenReason) => string | Promise<string>;

/** A fixed token (it cannot be refreshed, so 4002 ends the session) or a provider. */
export type TokenSource = string | TokenProvider;

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/**
 * The user id (`sub`) of a JWT access token, read without verifying it: the client only uses it to
 * recognise its own messages; the gateway is what verifies tokens. Undefined if it is not a JWT.
 */
export function userIdFromToken(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload));
    if (typeof claims === 'object' && claims !== null && 'sub' in claims && typeof claims.sub === 'string') return claims.sub;
  } catch {
    // Not a JWT we can read; the caller can pass userId explicitly.
  }
  return undefined;
}
