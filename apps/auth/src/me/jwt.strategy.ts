import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { accessTokenClaimsOf, AccessTokenError, accessTokenSettings, accessTokenVerifyOptions } from '@chat/auth-tokens';
import { AuthConfig } from '../config';
import { AuthError } from '../errors/auth-error';
import type { AuthenticatedUser } from './authenticated-user';

/**
 * Bearer access tokens, verified by passport-jwt with the rules the gateway's verifyAccessToken uses
 * (libs/auth-tokens: the one algorithm, issuer, audience, expiry, then the claims' shape).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AuthConfig) {
    const settings = accessTokenSettings(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: settings.secret,
      ...accessTokenVerifyOptions(settings),
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AuthenticatedUser {
    try {
      const claims = accessTokenClaimsOf(payload);
      return { userId: claims.sub, username: claims.username };
    } catch (error) {
      if (error instanceof AccessTokenError) throw new AuthError('invalid_access_token', error.message);
      throw error;
    }
  }
}
