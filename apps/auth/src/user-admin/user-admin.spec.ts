import { randomUUID } from 'node:crypto';
import { ProtocolError, UserAdminRequested, encodeEnvelope } from '@chat/protocol';
import { UserAdminConsumer } from './user-admin.consumer';
import { changeFor, type UserAdminUseCase } from './user-admin.use-case';

const now = new Date('2027-01-02T03:04:05Z');
const active = { role: 'user' as const, disabledAt: null };
const disabledAdmin = { role: 'admin' as const, disabledAt: new Date('2027-01-01T00:00:00Z') };

describe('changeFor', () => {
  it('disables an enabled account and ends its sessions; a disabled one only loses sessions a login raced in', () => {
    expect(changeFor('disable', active, now)).toEqual({ changed: true, patch: { disabledAt: now }, revokeSessions: 'account_disabled' });
    expect(changeFor('disable', disabledAdmin, now)).toEqual({ changed: false, patch: {}, revokeSessions: 'account_disabled' });
  });

  it('enables a disabled account and leaves an enabled one alone; no session ends', () => {
    expect(changeFor('enable', disabledAdmin, now)).toEqual({ changed: true, patch: { disabledAt: null } });
    expect(changeFor('enable', active, now)).toEqual({ changed: false, patch: {} });
  });

  it('revokes sessions without changing the account', () => {
    expect(changeFor('revoke_sessions', active, now)).toEqual({ changed: false, patch: {}, revokeSessions: 'revoked_by_operator' });
  });

  it('grants the stored role once; revoking it ends every session, so no token with the role stays usable', () => {
    expect(changeFor('grant_admin', active, now)).toEqual({ changed: true, patch: { role: 'admin' } });
    expect(changeFor('grant_admin', disabledAdmin, now)).toEqual({ changed: false, patch: {} });
    expect(changeFor('revoke_admin', disabledAdmin, now)).toEqual({ changed: true, patch: { role: 'user' }, revokeSessions: 'admin_revoked' });
    expect(changeFor('revoke_admin', active, now)).toEqual({ changed: false, patch: {}, revokeSessions: 'admin_revoked' });
  });
});

describe('UserAdminConsumer', () => {
  const executed: unknown[] = [];
  const useCase: Pick<UserAdminUseCase, 'execute'> = {
    execute: async (command) => {
      executed.push(command.payload);
      return { ...command.payload, outcome: 'applied', sessionsRevoked: 0, disabled: false, storedRole: 'user', adminByConfig: false };
    },
  };
  const consumer = new UserAdminConsumer(useCase as UserAdminUseCase);
  const record = (value: Buffer | null) => ({ topic: 'chat.user-admin', partition: 0, offset: '0', key: 'alice', value, headers: {}, rawHeaders: {}, timestamp: 0, traceId: undefined });

  beforeEach(() => (executed.length = 0));

  it('hands a valid command to the use case', async () => {
    const payload = { commandId: randomUUID(), action: 'disable' as const, username: 'Alice', requestedBy: 'ops' };
    await consumer.handle(record(encodeEnvelope(UserAdminRequested.create(payload))));
    expect(executed).toEqual([payload]);
  });

  it.each([
    ['not JSON', Buffer.from('{nope')],
    ['a tombstone', null],
    ['an unknown action', encodeEnvelope({ ...UserAdminRequested.create({ commandId: randomUUID(), action: 'enable', username: 'alice', requestedBy: 'ops' }), payload: { commandId: randomUUID(), action: 'delete', username: 'alice', requestedBy: 'ops' } })],
    ['a bad username', encodeEnvelope({ ...UserAdminRequested.create({ commandId: randomUUID(), action: 'enable', username: 'alice', requestedBy: 'ops' }), payload: { commandId: randomUUID(), action: 'enable', username: 'a b', requestedBy: 'ops' } })],
  ])('refuses %s with a ProtocolError, which the consumer dead-letters at once', async (_name, value) => {
    await expect(consumer.handle(record(value))).rejects.toBeInstanceOf(ProtocolError);
    expect(executed).toEqual([]);
  });
});
