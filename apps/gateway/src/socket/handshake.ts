import type { IncomingMessage } from 'node:http';
import { AccessTokenError, verifyAccessToken, type AccessTokenClaims, type AccessTokenSettings } from '@chat/auth-tokens';
import { accessTokenOfSubprotocols, type CloseCodeName } from '@chat/protocol';

/** Name of the query parameter that carried the access token before subprotocols did (legacy clients only). */
export const ACCESS_TOKEN_QUERY_PARAMETER = 'access_token';

export interface Refusal {
  close: CloseCodeName;
  reason: string;
}

export type Authentication = { claims: AccessTokenClaims } | Refusal;

type UpgradeRequest = Pick<IncomingMessage, 'headers' | 'url'>;

/** How a gateway finds tokens: `acceptQueryToken` is WS_ACCEPT_QUERY_TOKEN (off by default). */
export interface TokenSources {
  acceptQueryToken: boolean;
}

/** Where an upgrade request may carry its token, in order: header, subprotocol, and (if allowed) the URL. */
export function accessTokenOf(request: UpgradeRequest, sources: TokenSources): { token: string | undefined } | Refusal {
  const query = new URL(request.url ?? '/', 'http://gateway.invalid').searchParams.get(ACCESS_TOKEN_QUERY_PARAMETER);
  // A token in a URL ends up in access logs and proxies: refused, unless legacy clients are let in.
  if (query !== null && !sources.acceptQueryToken) return { close: 'unauthorized', reason: 'access token in the URL refused; offer it as subprotocol chat.auth.<token>' };
  const bearer = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  if (bearer) return { token: bearer[1] };
  const offered = request.headers['sec-websocket-protocol'];
  const fromSubprotocol = offered === undefined ? undefined : accessTokenOfSubprotocols(offered.split(',').map((name) => name.trim()));
  if (fromSubprotocol) return { token: fromSubprotocol };
  return { token: query || undefined };
}

/** Verifies the request's token: 4001 when missing, misplaced or invalid, 4002 when expired (refresh and reconnect). */
export function authenticate(request: UpgradeRequest, settings: AccessTokenSettings, now: number, sources: TokenSources = { acceptQueryToken: false }): Authentication {
  const found = accessTokenOf(request, sources);
  if ('close' in found) return found;
  try {
    return { claims: verifyAccessToken(settings, found.token, now) };
  } catch (error) {
    if (!(error instanceof AccessTokenError)) throw error;
    switch (error.reason) {
      case 'expired':
        return { close: 'token_expired', reason: 'access token expired' };
      case 'missing':
        return { close: 'unauthorized', reason: 'access token required' };
      case 'invalid':
        return { close: 'unauthorized', reason: 'access token invalid' };
    }
  }
}

/**
 * Whether a page from `origin` may open a socket. Only browsers send `Origin`, and they always do, so
 * a request without one is not a cross-site page and is let through (native apps, servers); the
 * token decides for those. An empty list allows every origin.
 */
export function isOriginAllowed(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.length === 0 || origin === undefined) return true;
  return allowedOrigins.includes(origin.toLowerCase());
}
