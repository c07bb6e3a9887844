import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parseRefreshToken } from './refresh-token';
import { RefreshTokenEntity } from './refresh-token.entity';
import { decideLogout } from './rotation';
import { invalidRefreshToken } from './session-errors';
import { SessionIssuer } from './session-issuer';

/** Ends the session a refresh token belongs to. Idempotent for a holder of the token. */
@Injectable()
export class LogoutUseCase {
  private readonly logger = new Logger(LogoutUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly issuer: SessionIssuer,
  ) {}

  async execute(command: { refreshToken: string }): Promise<void> {
    const parts = parseRefreshToken(command.refreshToken);
    if (!parts) throw invalidRefreshToken();
    const stored = await this.dataSource.getRepository(RefreshTokenEntity).findOneBy({ id: parts.tokenId });
    const decision = decideLogout(stored, parts.secret);
    if (decision.action === 'unknown') throw invalidRefreshToken();
    const ended = await this.dataSource.transaction((manager) => this.issuer.revokeFamily(manager, decision.token, 'logout', new Date()));
    if (ended) await this.issuer.announceRevocations();
    this.logger.log({ msg: 'user logged out', userId: decision.token.userId, familyId: decision.token.familyId });
  }

  /** Ends every session of the user, wherever they are logged in ("log out everywhere"). */
  async everywhere(userId: string): Promise<number> {
    const sessions = await this.dataSource.transaction((manager) => this.issuer.revokeAllOf(manager, userId, new Date()));
    if (sessions > 0) await this.issuer.announceRevocations();
    this.logger.log({ msg: 'user logged out everywhere', userId, sessions });
    return sessions;
  }
}
