import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accessTokenSigning, signAccessToken, type AccessTokenSigning } from '@chat/auth-tokens';
import { currentTraceId } from '@chat/logging';
import { SessionRevoked, type SessionRevocationReason, Topics } from '@chat/protocol';
import { AuthConfig } from '../config';
import { OutboxPublisher } from '../outbox/outbox.publisher';
import type { StoredRole } from '../users/user.entity';
import { newRefreshToken } from './refresh-token';
import { RefreshTokenEntity } from './refresh-token.entity';
import type { TokenPair } from './sessions.schemas';

/** How long logout waits for Kafka to have the revocation before answering anyway (the outbox retries). */
const ANNOUNCE_WAIT_MS = 2000;

/** Hands out an access token and a refresh token of a session (a refresh-token family). */
@Injectable()
export class SessionIssuer {
  private readonly signing: AccessTokenSigning;

  constructor(
    private readonly config: AuthConfig,
    private readonly outbox: OutboxPublisher,
  ) {
    this.signing = accessTokenSigning(config);
  }

  /** Stores a new refresh token in `familyId` (through `manager`, so it joins the caller's transaction). */
  async issue(manager: EntityManager, user: { id: string; username: string; role: StoredRole }, familyId: string, now: Date): Promise<{ pair: TokenPair; refreshTokenId: string }> {
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
    const role = user.role === 'admin' || this.isAdminByConfig(user.username) ? 'admin' : 'user';
    const accessToken = signAccessToken(this.signing, { userId: user.id, username: user.username, tokenId: randomUUID(), sessionId: familyId, role }, ttl);
    return { refreshTokenId: refresh.tokenId, pair: { accessToken, refreshToken: refresh.token, tokenType: 'Bearer', expiresIn: ttl, userId: user.id } };
  }

  /** Whether ADMIN_USERNAMES names the user: an administrator whatever role auth stores. */
  isAdminByConfig(username: string): boolean {
    return this.config.ADMIN_USERNAMES.includes(username.toLowerCase());
  }

  /**
   * Ends a session: every token of the family that is still live is revoked and, in the same
   * transaction (outbox), gateways are told to close its sockets and refuse its access tokens.
   * A session that was already over announces nothing again.
   */
  async revokeFamily(manager: EntityManager, session: { familyId: string; userId: string }, reason: SessionRevocationReason, now: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ revokedAt: now })
      .where('family_id = :familyId', { familyId: session.familyId })
      .andWhere('revoked_at is null')
      .execute();
    if (!result.affected) return false;
    const revokedAt = now.getTime();
    const envelope = SessionRevoked.create(
      { sessionId: session.familyId, userId: session.userId, reason, revokedAt, tokensExpireBy: revokedAt + this.config.ACCESS_TOKEN_TTL_SECONDS * 1000 },
      { traceId: currentTraceId(), occurredAt: revokedAt },
    );
    await this.outbox.enqueue(manager, { topic: Topics.sessions.name, key: session.familyId, envelope });
    return true;
  }

  /** Ends every live session of a user ("log out everywhere", or an operator's command); answers how many there were. */
  async revokeAllOf(manager: EntityManager, userId: string, now: Date, reason: SessionRevocationReason = 'logout_everywhere'): Promise<number> {
    const live: { familyId: string }[] = await manager
      .createQueryBuilder(RefreshTokenEntity, 'token')
      .select('distinct token.family_id', 'familyId')
      .where('token.user_id = :userId', { userId })
      .andWhere('token.revoked_at is null')
      .getRawMany();
    let revoked = 0;
    for (const { familyId } of live) if (await this.revokeFamily(manager, { familyId, userId }, reason, now)) revoked += 1;
    return revoked;
  }

  /** Publishes the revocations just committed, so sockets close within moments; false if Kafka was slow (the outbox retries). */
  announceRevocations(): Promise<boolean> {
    return this.outbox.publishWithin(ANNOUNCE_WAIT_MS);
  }
}
