import { AuthError } from '../errors/auth-error';

/** One answer for every unusable refresh token, so a client cannot probe which ids exist. */
export function invalidRefreshToken(): AuthError {
  return new AuthError('invalid_refresh_token', 'refresh token is invalid, expired or revoked');
}

/** The account was disabled by an operator (`chatctl user disable`). */
export function accountDisabled(): AuthError {
  return new AuthError('account_disabled', 'this account is disabled; ask an operator to enable it');
}
