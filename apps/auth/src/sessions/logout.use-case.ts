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
    await this.issuer.revokeFamily(this.dataSource.manager, decision.token.familyId, new Date());
    this.logger.log({ msg: 'user logged out', userId: decision.token.userId, familyId: decision.token.familyId });
  }
}
