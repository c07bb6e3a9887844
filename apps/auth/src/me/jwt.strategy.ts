import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ACCESS_TOKEN_ALGORITHM, AccessTokenClaimsSchema, accessTokenSettings } from '@chat/auth-tokens';
import { SERVICE_CONFIG } from '@chat/service-kit';
import type { AuthConfig } from '../config';
import { AuthError } from '../errors/auth-error';
import type { AuthenticatedUser } from './authenticated-user';

/**
 * Bearer access tokens, verified exactly as the gateway does (HS256 only, issuer, audience, expiry
 * from the shared settings), then the claims' shape.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(SERVICE_CONFIG) config: AuthConfig) {
    const settings = accessTokenSettings(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: settings.secret,
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      issuer: settings.issuer,
      audience: settings.audience,
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AuthenticatedUser {
    const claims = AccessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) throw new AuthError('invalid_access_token', 'access token claims are malformed');
    return { userId: claims.data.sub, username: claims.data.username };
  }
}
