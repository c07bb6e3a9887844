import type { IncomingMessage } from 'node:http';
import { AccessTokenError, verifyAccessToken, type AccessTokenClaims, type AccessTokenSettings } from '@chat/auth-tokens';
import type { CloseCodeName } from '@chat/protocol';

/** Name of the query parameter carrying the access token, for browsers (they cannot set headers on a WebSocket). */
export const ACCESS_TOKEN_QUERY_PARAMETER = 'access_token';

export interface Refusal {
  close: CloseCodeName;
  reason: string;
}

export type Authentication = { claims: AccessTokenClaims } | Refusal;

/**
 * The access token of an upgrade request: `Authorization: Bearer <token>`, else the `access_token`
 * query parameter. A header that is not a Bearer token counts as absent.
 */
export function accessTokenOf(request: Pick<IncomingMessage, 'headers' | 'url'>): string | undefined {
  const bearer = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1];
  const query = new URL(request.url ?? '/', 'http://gateway.invalid').searchParams.get(ACCESS_TOKEN_QUERY_PARAMETER);
  return query || undefined;
}

/** Verifies the request's token: 4001 when missing or invalid, 4002 when expired (refresh and reconnect). */
export function authenticate(request: Pick<IncomingMessage, 'headers' | 'url'>, settings: AccessTokenSettings, now: number): Authentication {
  try {
    return { claims: verifyAccessToken(settings, accessTokenOf(request), now) };
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
