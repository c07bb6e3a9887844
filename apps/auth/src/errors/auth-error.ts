/**
 * Codes of the auth API's error bodies (`{"error": {"code", "message"}}`), each with what a client
 * should do about it. Listed so docs and tests can enumerate them; the HTTP status of each is decided
 * in one place (http/error-status.ts).
 */
export const AuthErrorCodeList = [
  { code: 'validation_failed', meaning: 'The body does not match the schema; `message` and `field` name the first problem. Fix the request.' },
  { code: 'invalid_json', meaning: 'The body is not valid JSON.' },
  { code: 'payload_too_large', meaning: 'The body exceeds 16 KiB; it was not read.' },
  { code: 'unsupported_media_type', meaning: 'The body is not `application/json` in a supported charset or encoding.' },
  { code: 'username_taken', meaning: 'Another account has this username (compared case-insensitively). Pick another.' },
  { code: 'invalid_credentials', meaning: 'Unknown username or wrong password (deliberately not told apart).' },
  { code: 'invalid_refresh_token', meaning: 'The refresh token is malformed, unknown, expired or revoked. Log in again.' },
  { code: 'refresh_token_reused', meaning: 'An already rotated refresh token was presented: its whole session was revoked. Log in again.' },
  { code: 'account_disabled', meaning: 'An operator disabled this account (`chatctl user disable`): no login or refresh until it is enabled again.' },
  { code: 'invalid_access_token', meaning: 'The bearer access token is missing or not valid. Log in or refresh.' },
  { code: 'access_token_expired', meaning: 'The bearer access token expired. Refresh it.' },
  { code: 'rate_limited', meaning: 'Too many attempts; retry after the `Retry-After` header (seconds).' },
  { code: 'not_found', meaning: 'No such route.' },
  { code: 'bad_request', meaning: 'The request could not be read (other than the cases above).' },
  { code: 'internal_error', meaning: 'An unexpected server error; `errorId` identifies it in the logs. The outcome is unknown.' },
] as const;

export type AuthErrorCode = (typeof AuthErrorCodeList)[number]['code'];
export const AUTH_ERROR_CODES: readonly AuthErrorCode[] = AuthErrorCodeList.map((entry) => entry.code);

export interface AuthErrorOptions {
  /** The offending body field, for validation errors. */
  field?: string;
  /** Seconds until a rate-limited request may be retried. */
  retryAfterSeconds?: number;
  /** `WWW-Authenticate` challenge of a 401 about a bearer token (RFC 6750). */
  challenge?: string;
  cause?: unknown;
}

/** A failure the API reports to its client with a code; anything else is an internal error. */
export class AuthError extends Error {
  readonly field?: string;
  readonly retryAfterSeconds?: number;
  readonly challenge?: string;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options: AuthErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AuthError';
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.challenge = options.challenge;
  }
}
