import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accessTokenSettings, signAccessToken, type AccessTokenSettings } from '@chat/auth-tokens';
import { AuthConfig } from '../config';
import { newRefreshToken } from './refresh-token';
import { RefreshTokenEntity } from './refresh-token.entity';
import type { TokenPair } from './sessions.schemas';

/** Hands out an access token and a refresh token of a session (a refresh-token family). */
@Injectable()
export class SessionIssuer {
  private readonly settings: AccessTokenSettings;

  constructor(private readonly config: AuthConfig) {
    this.settings = accessTokenSettings(config);
  }

  /** Stores a new refresh token in `familyId` (through `manager`, so it joins the caller's transaction). */
  async issue(manager: EntityManager, user: { id: string; username: string }, familyId: string, now: Date): Promise<{ pair: TokenPair; refreshTokenId: string }> {
    const refresh = newRefreshToken();
    await manager.insert(RefreshTokenEntity, {
      id: refresh.tokenId,
      familyId,
      userId: user.id,
      secretHash: refresh.secretHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
      revokedAt: null,
      replacedBy: null,
    });
    const ttl = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = signAccessToken(this.settings, { userId: user.id, username: user.username, tokenId: randomUUID() }, ttl);
    return { refreshTokenId: refresh.tokenId, pair: { accessToken, refreshToken: refresh.token, tokenType: 'Bearer', expiresIn: ttl, userId: user.id } };
  }

  /** Ends a session: every token of the family that is still live is revoked. */
  async revokeFamily(manager: EntityManager, familyId: string, now: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: now })
      .where('family_id = :familyId', { familyId })
      .andWhere('revoked_at is null')
      .execute();
  }
}
