import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthError } from '../errors/auth-error';
import { KnownAddresses } from '../rate-limit/known-addresses';
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
    private readonly knownAddresses: KnownAddresses,
  ) {}

  /**
   * `clientIp` keys the failure limits. Only failures count: each attempt reserves one failure of
   * its (username, IP) and, unless the address logged in to this username before, one of the
   * username's own budget (slows guessing one password from many IPs); a login with the right
   * password gives them back. So strangers sending wrong passwords cannot lock the user out.
   */
  async execute(command: LoginBody, clientIp = 'unknown'): Promise<TokenPair> {
    const key = usernameKey(command.username);
    const now = Date.now();
    const pairKey = `${key} ${clientIp}`;
    const known = this.knownAddresses.has(key, clientIp, now);
    this.rateLimits.consume('loginFailuresPerUsernameIp', pairKey, now);
    if (!known) {
      try {
        this.rateLimits.consume('loginPerUsername', key, now);
      } catch (error) {
        this.rateLimits.refund('loginFailuresPerUsernameIp', pairKey, now);
        throw error;
      }
    }
    const user = await this.dataSource.getRepository(UserEntity).findOneBy({ usernameKey: key });
    // An unknown user costs a verification too, so timing does not tell which usernames exist.
    const verified = user ? await this.hasher.verify(user.passwordHash, command.password) : await this.hasher.verifyAgainstDummy(command.password);
    if (!user || !verified) {
      AuthMetrics.logins.inc({ outcome: 'invalid_credentials' });
      this.logger.log({ msg: 'login refused', usernameKey: key, knownUser: Boolean(user) });
      throw new AuthError('invalid_credentials', 'invalid username or password');
    }
    // The right password: the attempt was no failure, and this address is one the user logs in from.
    this.rateLimits.refund('loginFailuresPerUsernameIp', pairKey, now);
    if (!known) this.rateLimits.refund('loginPerUsername', key, now);
    this.knownAddresses.remember(key, clientIp, now);
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
