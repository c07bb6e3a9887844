import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthError } from '../errors/auth-error';
import { RateLimits } from '../rate-limit/rate-limits';
import { AuthMetrics } from '../telemetry/auth.metrics';
import { UserEntity } from '../users/user.entity';
import { parseRefreshToken } from './refresh-token';
import { RefreshTokenEntity } from './refresh-token.entity';
import { decideRefresh } from './rotation';
import { accountDisabled, invalidRefreshToken } from './session-errors';
import { SessionIssuer } from './session-issuer';
import type { TokenPair } from './sessions.schemas';

type Outcome = { ok: true; pair: TokenPair } | { ok: false; error: AuthError };

/** Exchanges a refresh token for a new pair, rotating it; a replayed old token ends the session. */
@Injectable()
export class RefreshSessionUseCase {
  private readonly logger = new Logger(RefreshSessionUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly issuer: SessionIssuer,
    private readonly rateLimits: RateLimits,
  ) {}

  async execute(command: { refreshToken: string }): Promise<TokenPair> {
    const parts = parseRefreshToken(command.refreshToken);
    if (!parts) {
      AuthMetrics.refreshes.inc({ outcome: 'invalid' });
      throw invalidRefreshToken();
    }
    // Per token, after the per-IP limit of the route: a token replayed from many addresses is slowed too.
    this.rateLimits.consume('refreshPerToken', parts.tokenId);
    const now = new Date();
    // Failures are returned, not thrown, so that a family revocation commits before we answer.
    const outcome = await this.dataSource.transaction(async (manager): Promise<Outcome> => {
      // The row lock serialises concurrent refreshes of one token: exactly one of them rotates it.
      const stored = await manager.findOne(RefreshTokenEntity, { where: { id: parts.tokenId }, lock: { mode: 'pessimistic_write' } });
      const decision = decideRefresh(stored, parts.secret, now);
      switch (decision.action) {
        case 'reject':
          this.logger.log({ msg: 'refresh refused', reason: decision.reason, tokenId: parts.tokenId });
          return { ok: false, error: invalidRefreshToken() };
        case 'revoke_family':
          await this.issuer.revokeFamily(manager, decision.token, 'refresh_token_reused', now);
          this.logger.warn({ msg: 'rotated refresh token reused: session revoked', userId: decision.token.userId, familyId: decision.token.familyId });
          return { ok: false, error: new AuthError('refresh_token_reused', 'refresh token was already used; the session has been revoked, log in again') };
        case 'rotate': {
          const user = await manager.findOneByOrFail(UserEntity, { id: decision.token.userId });
          // Disabling revokes every session, so this is only reached by a refresh racing the disable.
          if (user.disabledAt) return { ok: false, error: accountDisabled() };
          const issued = await this.issuer.issue(manager, user, decision.token.familyId, now);
          await manager.update(RefreshTokenEntity, { id: decision.token.id }, { revokedAt: now, replacedBy: issued.refreshTokenId });
          return { ok: true, pair: issued.pair };
        }
      }
    });
    if (!outcome.ok) {
      if (outcome.error.code === 'refresh_token_reused') await this.issuer.announceRevocations();
      AuthMetrics.refreshes.inc({ outcome: outcome.error.code === 'refresh_token_reused' ? 'reused' : outcome.error.code === 'account_disabled' ? 'account_disabled' : 'invalid' });
      throw outcome.error;
    }
    AuthMetrics.refreshes.inc({ outcome: 'rotated' });
    return outcome.pair;
  }
}
