import { z } from 'zod';
import { TimestampSchema, UserIdSchema } from '@chat/wire';
import { defineRecord } from '../envelope';

/**
 * Why a login session ended before its time: the user logged out (here or everywhere), a refresh
 * token was replayed, or an operator disabled the account, ended its sessions or took the
 * administrator role away (`chatctl user …`).
 */
export const SessionRevocationReasons = ['logout', 'logout_everywhere', 'refresh_token_reused', 'account_disabled', 'revoked_by_operator', 'admin_revoked'] as const;
export type SessionRevocationReason = (typeof SessionRevocationReasons)[number];

/**
 * Auth ended a login session (a refresh-token family): on `chat.sessions`, key = sessionId. Every
 * gateway closes the session's sockets and refuses its access tokens (claim `sid`) at the handshake
 * until `tokensExpireBy`, after which no token of the session is valid anyway and the record can go.
 */
export const SessionRevoked = defineRecord(
  'chat.session-revoked',
  1,
  z.strictObject({
    sessionId: z.uuid(),
    userId: UserIdSchema,
    reason: z.enum(SessionRevocationReasons),
    revokedAt: TimestampSchema,
    /** When the last access token issued to the session expires (revocation + the access-token lifetime). */
    tokensExpireBy: TimestampSchema,
  }),
);
export type SessionRevokedPayload = z.output<typeof SessionRevoked.payloadSchema>;
