import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { AuthError } from '../errors/auth-error';

/** JwtStrategy as a guard, with its failures turned into the API's error codes. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error instanceof AuthError) throw withChallenge(error);
    if (error) throw error;
    if (user) return user;
    // passport-jwt reports why in `info`: jsonwebtoken's errors, or "No auth token".
    if (info instanceof Error && info.name === 'TokenExpiredError') throw withChallenge(new AuthError('access_token_expired', 'access token expired'));
    if (info instanceof Error && info.message === 'No auth token') {
      // RFC 6750: a request without credentials gets the bare challenge, no error code.
      throw new AuthError('invalid_access_token', 'missing bearer access token', { challenge: 'Bearer' });
    }
    throw withChallenge(new AuthError('invalid_access_token', 'access token is invalid'));
  }
}

function withChallenge(error: AuthError): AuthError {
  return new AuthError(error.code, error.message, { challenge: `Bearer error="invalid_token", error_description="${error.message}"` });
}
