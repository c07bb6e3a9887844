import { z } from 'zod';
import { UserIdSchema, UsernameSchema } from '@chat/wire';
import { defineRecord } from '../envelope';

/**
 * Operators' commands about one account, from `chatctl user …` to auth over `chat.user-admin`:
 * - `disable`: the user can no longer log in or refresh (403 `account_disabled`); every session ends.
 * - `enable`: lifts `disable`.
 * - `revoke_sessions`: every session ends (sockets close with 4004, refresh tokens stop working).
 * - `grant_admin` / `revoke_admin`: the stored administrator role, in tokens issued afterwards;
 *   revoking also ends every session, so no token carrying the role is accepted any longer.
 */
export const UserAdminActions = ['disable', 'enable', 'revoke_sessions', 'grant_admin', 'revoke_admin'] as const;
export type UserAdminAction = (typeof UserAdminActions)[number];

/** An operator's command on `chat.user-admin`, key = the lowercased username (userAdminKey). */
export const UserAdminRequested = defineRecord(
  'chat.user-admin-requested',
  1,
  z.strictObject({
    /** Chosen by chatctl; auth applies a command once and answers on `chat.user-admin-results` under it. */
    commandId: z.uuid(),
    action: z.enum(UserAdminActions),
    /** Looked up case-insensitively, as at login. */
    username: UsernameSchema,
    /** Who asked (the operator's login name, as chatctl found it), for auth's log. */
    requestedBy: z.string().min(1).max(100),
  }),
);
export type UserAdminRequestedPayload = z.output<typeof UserAdminRequested.payloadSchema>;

/**
 * What became of a command: `applied` (something changed), `unchanged` (the account already was so:
 * enabling an enabled user; sessions may still have been revoked), `unknown_user` (no such username).
 */
export const UserAdminOutcomes = ['applied', 'unchanged', 'unknown_user'] as const;
export type UserAdminOutcome = (typeof UserAdminOutcomes)[number];

/** Auth's answer to one `chat.user-admin-requested`, on `chat.user-admin-results`, key = commandId. */
export const UserAdminCompleted = defineRecord(
  'chat.user-admin-completed',
  1,
  z.strictObject({
    commandId: z.uuid(),
    action: z.enum(UserAdminActions),
    username: UsernameSchema,
    outcome: z.enum(UserAdminOutcomes),
    /** The account's id; absent for `unknown_user`. */
    userId: UserIdSchema.optional(),
    /** Login sessions this command ended (each closes its sockets with 4004). */
    sessionsRevoked: z.number().int().nonnegative(),
    /** The account as it is after the command. */
    disabled: z.boolean(),
    /** The role stored by auth (`chatctl user grant-admin`). */
    storedRole: z.enum(['user', 'admin']),
    /** Whether auth's ADMIN_USERNAMES lists the user, which makes them an administrator whatever is stored. */
    adminByConfig: z.boolean(),
  }),
);
export type UserAdminCompletedPayload = z.output<typeof UserAdminCompleted.payloadSchema>;

/** The key of a user-admin command: one user's commands share a partition and are applied in order. */
export function userAdminKey(username: string): string {
  return username.toLowerCase();
}

/** The key of a replayed dead letter on `ops.dlq-replays`: where it sits in its dead-letter topic. */
export function dlqReplayKey(deadLetterTopic: string, partition: number, offset: string): string {
  return `${deadLetterTopic}/${partition}/${offset}`;
}

/** `ops.dlq-replayed`: chatctl produced a dead letter back to its source topic. */
export const DlqReplayed = defineRecord(
  'ops.dlq-replayed',
  1,
  z.strictObject({
    deadLetterTopic: z.string().min(1).max(249),
    partition: z.number().int().nonnegative(),
    offset: z.string().regex(/^\d+$/),
    sourceTopic: z.string().min(1).max(249),
    replayedAt: z.number().int().nonnegative(),
    replayedBy: z.string().min(1).max(100),
    /** Replayed although it had been before (`--force`). */
    forced: z.boolean(),
  }),
);
export type DlqReplayedPayload = z.output<typeof DlqReplayed.payloadSchema>;
