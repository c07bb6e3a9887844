/**
 * WebSocket close codes the gateway uses, with what a client should do about each. 1000-2999 are
 * the standard codes of RFC 6455; 4000-4999 are for applications. `reconnect` tells the client SDK
 * whether to reconnect automatically: `yes` (with backoff and jitter, then `sync`), `no` (a person
 * or a code change must act first) or `after_reauth` (get a fresh token first).
 *
 * Close reasons sent along are short (a WebSocket limits them to 123 bytes) and for humans only.
 */
export const CloseCodes = {
  /** The client or server ended the session on purpose (logout). */
  normal: { code: 1000, reconnect: 'no' },
  /** The server is shutting down or being redeployed; another instance will take the connection. */
  going_away: { code: 1001, reconnect: 'yes' },
  /** A frame exceeded the hard size limit of the socket; the frame is lost, the session can resume. */
  message_too_big: { code: 1009, reconnect: 'yes' },
  /** The server hit an unexpected error on this connection. */
  internal_error: { code: 1011, reconnect: 'yes' },
  /** The server is full (its connection limit) or overloaded; come back later, with longer backoff. */
  try_again_later: { code: 1013, reconnect: 'yes' },
  /** No pong (or any frame) arrived within the heartbeat timeout; the connection is presumed dead. */
  heartbeat_timeout: { code: 4000, reconnect: 'yes' },
  /** The access token was missing or invalid at connect time. Retrying with the same token cannot help. */
  unauthorized: { code: 4001, reconnect: 'no' },
  /** The access token expired during the session; reconnect with a refreshed one. */
  token_expired: { code: 4002, reconnect: 'after_reauth' },
  /**
   * The login session ended (logout, "log out everywhere", or a reused refresh token): the socket is
   * closed and the session's access tokens are refused. Log in again; refreshing cannot help.
   */
  session_revoked: { code: 4004, reconnect: 'no' },
  /** The page's Origin is not allowed to use this server. */
  forbidden_origin: { code: 4003, reconnect: 'no' },
  /** The client did not read fast enough and its send buffer overflowed; reconnect and `sync`. */
  slow_consumer: { code: 4005, reconnect: 'yes' },
  /** The client broke protocol policy, e.g. too many invalid frames or persistent rate-limit abuse. */
  policy_violation: { code: 4008, reconnect: 'no' },
  /**
   * The user already holds as many sockets on this gateway as one user may (not "server full": the
   * server has room). Retrying cannot help until one of the user's other sockets closes.
   */
  too_many_connections: { code: 4009, reconnect: 'no' },
} as const satisfies Record<string, { code: number; reconnect: 'yes' | 'no' | 'after_reauth' }>;

export type CloseCodeName = keyof typeof CloseCodes;
export type CloseCode = (typeof CloseCodes)[CloseCodeName]['code'];

/** The name of a close code received from a socket, or undefined for a code this protocol does not use. */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return (Object.keys(CloseCodes) as CloseCodeName[]).find((name) => CloseCodes[name].code === code);
}
