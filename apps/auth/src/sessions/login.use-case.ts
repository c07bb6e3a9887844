import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthError } from '../errors/auth-error';
import { RateLimits } from '../rate-limit/rate-limits';
import { AuthMetrics } from '../telemetry/auth.metrics';
import { usernameKey, type LoginBody } from '../users/credentials';
import { PasswordHasher } from '../users/password-hasher';
import { UserEntity } from '../users/user.entity';
import { accountDisabled } from './session-errors';
import { SessionIssuer } from './session-issuer';
import type { TokenPair } from './sessions.schemas';

/** Checks a username and password and starts a session (a new refresh-token family). */
@Injectable()
export class LoginUseCase {
  private readonly logger = new Logger(LoginUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly issuer: SessionIssuer,
    private readonly rateLimits: RateLimits,
  ) {}

  async execute(command: LoginBody): Promise<TokenPair> {
    const key = usernameKey(command.username);
    // Per username, whatever the source address: slows guessing one account's password from many
    // IPs. The price is that someone can keep a user from logging in for a while; bounded by the limit.
    this.rateLimits.consume('loginPerUsername', key);
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ usernameKey: key });
    // An unknown user costs a verification too, so timing does not tell which usernames exist.
    const verified = user ? await this.hasher.verify(user.passwordHash, command.password) : await this.hasher.verifyAgainstDummy(command.password);
    if (!user || !verified) {
      AuthMetrics.logins.inc({ outcome: 'invalid_credentials' });
      this.logger.log({ msg: 'login refused', usernameKey: key, knownUser: Boolean(user) });
      throw new AuthError('invalid_credentials', 'invalid username or password');
    }
    // Told only to whoever knows the password, so it says nothing about an account to a guesser.
    if (user.disabledAt) {
      AuthMetrics.logins.inc({ outcome: 'account_disabled' });
      this.logger.log({ msg: 'login refused: account disabled', userId: user.id });
      throw accountDisabled();
    }
    const { pair } = await this.issuer.issue(this.dataSource.manager, user, randomUUID(), new Date());
    AuthMetrics.logins.inc({ outcome: 'success' });
    this.logger.log({ msg: 'user logged in', userId: user.id });
    return pair;
  }
}
