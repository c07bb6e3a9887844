import type { UserAdminCompletedPayload } from '@chat/protocol';
import { reportOf } from './user-commands';

const base: UserAdminCompletedPayload = {
  commandId: '3f8a7c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b',
  action: 'disable',
  username: 'Alice',
  outcome: 'applied',
  userId: '6f1c2a4e-8b3d-4f7a-9c21-3e5d7a9b1c42',
  sessionsRevoked: 2,
  disabled: true,
  storedRole: 'user',
  adminByConfig: false,
};

describe('reportOf', () => {
  it.each<[Partial<UserAdminCompletedPayload>, boolean, string]>([
    [{}, true, 'user Alice disabled, 2 sessions revoked'],
    [{ outcome: 'unchanged', sessionsRevoked: 0 }, true, 'user Alice was already disabled, 0 sessions revoked'],
    [{ action: 'enable', disabled: false, sessionsRevoked: 0 }, true, 'user Alice enabled: they can log in again'],
    [{ action: 'revoke_sessions', sessionsRevoked: 1 }, true, 'user Alice: 1 session revoked'],
    [{ action: 'revoke_sessions', sessionsRevoked: 0, outcome: 'unchanged' }, true, 'user Alice: 0 sessions revoked (none was live)'],
    [{ action: 'grant_admin', sessionsRevoked: 0, storedRole: 'admin' }, true, 'user Alice granted the administrator role (in tokens issued from now on)'],
    [{ action: 'revoke_admin', sessionsRevoked: 1 }, true, 'user Alice no longer has the stored administrator role, 1 session revoked'],
    [
      { action: 'revoke_admin', sessionsRevoked: 1, adminByConfig: true },
      false,
      "user Alice no longer has the stored administrator role, 1 session revoked; but auth's ADMIN_USERNAMES still lists Alice, so new tokens keep the admin role until it is removed there",
    ],
    [{ outcome: 'unknown_user', userId: undefined, sessionsRevoked: 0 }, false, 'user Alice not found: auth knows no such username'],
  ])('%j', (change, ok, text) => {
    const result = { ...base, ...change };
    expect(reportOf(result)).toEqual({ ok, text, json: result });
  });
});
