import { AuthError } from '../errors/auth-error';

/** One answer for every unusable refresh token, so a client cannot probe which ids exist. */
export function invalidRefreshToken(): AuthError {
  return new AuthError('invalid_refresh_token', 'refresh token is invalid, expired or revoked');
}
