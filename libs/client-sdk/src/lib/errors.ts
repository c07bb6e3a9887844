import { closeCodeName, type CloseCodeName, type ErrorCode } from '@chat/wire';

/** The server answered a request with an `error` frame. `code` is one of the protocol's ErrorCodes. */
export class ChatRequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The client frame type of the failed request, e.g. `send`. */
    readonly requestType: string,
    readonly requestId?: string,
  ) {
    super(`${requestType} failed: ${code}: ${message}`);
    this.name = 'ChatRequestError';
  }
}

/** No answer arrived within the client's own deadline; the outcome is unknown (a send may still be stored). */
export class RequestTimeoutError extends Error {
  /** The protocol's code for "no answer in time" (ErrorCodes), so callers can treat both alike. */
  readonly code = 'timeout';

  constructor(
    readonly requestType: string,
    readonly timeoutMs: number,
  ) {
    super(`${requestType}: no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * The connection ended (or never came up) before a request was answered, or for good. `closeCode`
 * is the WebSocket close code when there was one; `closeName` its protocol name (see CloseCodes).
 */
export class ConnectionClosedError extends Error {
  readonly closeName: CloseCodeName | undefined;

  constructor(
    message: string,
    readonly closeCode?: number,
    readonly closeReason?: string,
  ) {
    super(closeCode === undefined ? message : `${message} (close ${closeCode}${closeReason ? ` ${closeReason}` : ''})`);
    this.name = 'ConnectionClosedError';
    this.closeName = closeCode === undefined ? undefined : closeCodeName(closeCode);
  }
}

/** An auth REST call failed: `status` is the HTTP status, `code` the server's error code. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From `Retry-After` on 429 (and 503), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'AuthError';
  }
}
