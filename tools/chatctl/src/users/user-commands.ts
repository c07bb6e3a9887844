import { randomUUID } from 'node:crypto';
import { Topics, UserAdminCompleted, UserAdminRequested, userAdminKey, type UserAdminAction, type UserAdminCompletedPayload } from '@chat/protocol';
import { count, type Report } from '../cli/output';
import type { Cluster } from '../kafka/cluster';

/**
 * `user …`: sends the command to auth on `chat.user-admin` and waits for auth's answer on
 * `chat.user-admin-results` (keyed by the command's id), read from the end it had before sending,
 * so an answer can't be missed however fast it comes. Auth applies a command once (by its id).
 */
export async function runUserCommand(cluster: Cluster, options: { action: UserAdminAction; username: string; requestedBy: string; timeoutMs: number }): Promise<Report> {
  const commandId = randomUUID();
  const start = await cluster.ends([Topics.userAdminResults.name]);
  const envelope = UserAdminRequested.create({ commandId, action: options.action, username: options.username, requestedBy: options.requestedBy });
  await cluster.send(Topics.userAdmin.name, [{ key: userAdminKey(options.username), envelope }]);
  const result = await cluster.waitFor(
    Topics.userAdminResults.name,
    start,
    (record) => {
      if (record.key !== commandId || record.value === null) return undefined;
      const answer = UserAdminCompleted.decode(record.value).payload;
      return answer.commandId === commandId ? answer : undefined;
    },
    options.timeoutMs,
    `answer from auth to ${options.action} ${options.username} (command ${commandId}; is auth running? see \`chatctl lag --group auth.user-admin\`)`,
  );
  return reportOf(result);
}

/** The operator's sentence for auth's answer, and whether the command achieved what it asked. */
export function reportOf(result: UserAdminCompletedPayload): Report {
  const user = `user ${result.username}`;
  if (result.outcome === 'unknown_user') return { ok: false, text: `${user} not found: auth knows no such username`, json: result };
  const sessions = count(result.sessionsRevoked, 'session');
  const unchanged = result.outcome === 'unchanged';
  switch (result.action) {
    case 'disable':
      return { ok: true, text: `${user} ${unchanged ? 'was already disabled' : 'disabled'}, ${sessions} revoked`, json: result };
    case 'enable':
      return { ok: true, text: `${user} ${unchanged ? 'was not disabled' : 'enabled: they can log in again'}`, json: result };
    case 'revoke_sessions':
      return { ok: true, text: `${user}: ${sessions} revoked${result.sessionsRevoked === 0 ? ' (none was live)' : ''}`, json: result };
    case 'grant_admin':
      return { ok: true, text: `${user} ${unchanged ? 'already had' : 'granted'} the administrator role (in tokens issued from now on)`, json: result };
    case 'revoke_admin': {
      const text = `${user} ${unchanged ? 'had no stored administrator role' : 'no longer has the stored administrator role'}, ${sessions} revoked`;
      if (result.adminByConfig) {
        return { ok: false, text: `${text}; but auth's ADMIN_USERNAMES still lists ${result.username}, so new tokens keep the admin role until it is removed there`, json: result };
      }
      return { ok: true, text, json: result };
    }
  }
}
