import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { currentTraceId } from '@chat/logging';
import { Topics, UserAdminCompleted, type Envelope, type SessionRevocationReason, type UserAdminCompletedPayload, type UserAdminRequestedPayload } from '@chat/protocol';
import { OutboxPublisher } from '../outbox/outbox.publisher';
import { SessionIssuer } from '../sessions/session-issuer';
import { usernameKey } from '../users/credentials';
import { UserEntity } from '../users/user.entity';
import { UserAdminCommandEntity } from './user-admin-command.entity';

/** A change to one account and whether it ends the user's sessions (and with which reason). */
interface AccountChange {
  changed: boolean;
  patch: Partial<Pick<UserEntity, 'role' | 'disabledAt'>>;
  revokeSessions?: SessionRevocationReason;
}

/**
 * Applies an operator's command (chat.user-admin) to one account. In one transaction: the account
 * row is locked, changed, its sessions revoked where the action says so (their chat.session-revoked
 * records go into the outbox, so gateways close the sockets with 4004), the command is recorded as
 * processed with its answer, and the answer is put in the outbox for chat.user-admin-results. A
 * command delivered again (a crash before the offset commit) finds its record and changes nothing;
 * its answer is already in the outbox.
 */
@Injectable()
export class UserAdminUseCase {
  private readonly logger = new Logger(UserAdminUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly issuer: SessionIssuer,
    private readonly outbox: OutboxPublisher,
  ) {}

  async execute(command: Envelope<string, UserAdminRequestedPayload>): Promise<UserAdminCompletedPayload> {
    const { commandId, action, username, requestedBy } = command.payload;
    const now = new Date();
    const { result, repeated } = await this.dataSource.transaction(async (manager) => {
      const processed = await manager.findOneBy(UserAdminCommandEntity, { commandId });
      if (processed) return { result: processed.result, repeated: true };
      const result = await this.apply(manager, command.payload, now);
      await manager.insert(UserAdminCommandEntity, { commandId, action, username, requestedBy, result, processedAt: now });
      const envelope = UserAdminCompleted.create(result, { traceId: currentTraceId(), occurredAt: now.getTime() });
      await this.outbox.enqueue(manager, { topic: Topics.userAdminResults.name, key: commandId, envelope });
      return { result, repeated: false };
    });
    if (repeated) {
      this.logger.log({ msg: 'user admin command already applied', commandId, action, username });
      return result;
    }
    // Sockets close and the operator hears back as soon as Kafka has the records (the outbox retries otherwise).
    await this.issuer.announceRevocations();
    this.logger.log({ msg: 'user admin command applied', commandId, action, username, requestedBy, outcome: result.outcome, userId: result.userId, sessionsRevoked: result.sessionsRevoked });
    return result;
  }

  private async apply(manager: EntityManager, { commandId, action, username }: UserAdminRequestedPayload, now: Date): Promise<UserAdminCompletedPayload> {
    const user = await manager.findOne(UserEntity, { where: { usernameKey: usernameKey(username) }, lock: { mode: 'pessimistic_write' } });
    if (!user) return { commandId, action, username, outcome: 'unknown_user', sessionsRevoked: 0, disabled: false, storedRole: 'user', adminByConfig: this.issuer.isAdminByConfig(username) };

    const change = changeFor(action, user, now);
    if (Object.keys(change.patch).length > 0) await manager.update(UserEntity, { id: user.id }, change.patch);
    const sessionsRevoked = change.revokeSessions ? await this.issuer.revokeAllOf(manager, user.id, now, change.revokeSessions) : 0;
    const after = { ...user, ...change.patch };
    return {
      commandId,
      action,
      // As registered, whatever case the operator typed.
      username: user.username,
      outcome: change.changed || sessionsRevoked > 0 ? 'applied' : 'unchanged',
      userId: user.id,
      sessionsRevoked,
      disabled: after.disabledAt !== null,
      storedRole: after.role,
      adminByConfig: this.issuer.isAdminByConfig(user.username),
    };
  }
}

/** What an action does to an account as it is now. */
export function changeFor(action: UserAdminRequestedPayload['action'], user: Pick<UserEntity, 'role' | 'disabledAt'>, now: Date): AccountChange {
  switch (action) {
    case 'disable':
      // Sessions are revoked even when it was disabled already: a login racing the first disable ends too.
      return { changed: user.disabledAt === null, patch: user.disabledAt === null ? { disabledAt: now } : {}, revokeSessions: 'account_disabled' };
    case 'enable':
      return { changed: user.disabledAt !== null, patch: user.disabledAt !== null ? { disabledAt: null } : {} };
    case 'revoke_sessions':
      return { changed: false, patch: {}, revokeSessions: 'revoked_by_operator' };
    case 'grant_admin':
      return { changed: user.role !== 'admin', patch: user.role !== 'admin' ? { role: 'admin' } : {} };
    case 'revoke_admin':
      // Tokens carrying the role stay valid until they expire; ending the sessions makes gateways refuse them now.
      return { changed: user.role !== 'user', patch: user.role !== 'user' ? { role: 'user' } : {}, revokeSessions: 'admin_revoked' };
  }
}
