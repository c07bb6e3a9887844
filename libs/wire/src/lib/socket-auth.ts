/**
 * The access token of a WebSocket upgrade, for clients that cannot set an Authorization header
 * (browsers): one more offered subprotocol, `chat.auth.<token>`, next to the codec's. A JWT is made
 * of base64url and dots, all valid in a subprotocol name. The gateway never answers with it (it picks
 * the codec), and it stays out of URLs, which proxies and access logs record.
 */
export const ACCESS_TOKEN_SUBPROTOCOL_PREFIX = 'chat.auth.';

export function accessTokenSubprotocol(token: string): string {
  return `${ACCESS_TOKEN_SUBPROTOCOL_PREFIX}${token}`;
}

/** The token of the first `chat.auth.` subprotocol offered, or undefined. */
export function accessTokenOfSubprotocols(offered: Iterable<string>): string | undefined {
  for (const subprotocol of offered) {
    if (subprotocol.startsWith(ACCESS_TOKEN_SUBPROTOCOL_PREFIX)) return subprotocol.slice(ACCESS_TOKEN_SUBPROTOCOL_PREFIX.length) || undefined;
  }
  return undefined;
}
