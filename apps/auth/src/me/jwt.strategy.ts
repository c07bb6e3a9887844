import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { accessTokenClaimsOf, AccessTokenError, accessTokenSettings, accessTokenVerifyOptions, verificationKeyOf } from '@chat/auth-tokens';
import { AuthConfig } from '../config';
import { AuthError } from '../errors/auth-error';
import type { AuthenticatedUser } from './authenticated-user';

/**
 * Bearer access tokens, verified by passport-jwt with the rules the gateway's verifyAccessToken uses
 * (libs/auth-tokens: the public key the token's kid names, the one algorithm, issuer, audience,
 * expiry, then the claims' shape). Auth accepts its own key and JWT_PUBLIC_KEYS (a rotation's previous key).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(config: AuthConfig) {
    const settings = accessTokenSettings(config);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // The public key the token's kid names (as PEM: passport-jwt's type); an unknown kid fails like a bad signature.
      secretOrKeyProvider: (_request: unknown, rawJwtToken: string, done: (error: Error | null, key?: string) => void) => {
        try {
          done(null, verificationKeyOf(settings.publicKeys, rawJwtToken).export({ type: 'spki', format: 'pem' }).toString());
        } catch (error) {
          done(error instanceof Error ? error : new Error('unverifiable access token'));
        }
      },
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
