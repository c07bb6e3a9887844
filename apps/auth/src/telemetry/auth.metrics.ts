import { telemetry } from '@chat/telemetry';

/** This service's figures (see docs/observability.md). */
export const AuthMetrics = {
  registrations: telemetry.counter('auth_registrations_total', 'Registration attempts that reached the use case, by outcome (created, username_taken)', ['outcome']),
  logins: telemetry.counter('auth_logins_total', 'Logins whose credentials were checked, by outcome (success, invalid_credentials, account_disabled)', ['outcome']),
  refreshes: telemetry.counter('auth_refreshes_total', 'Refresh-token exchanges, by outcome (rotated, invalid, reused: the session was revoked, account_disabled)', ['outcome']),
  rateLimited: telemetry.counter('auth_rate_limited_total', 'Requests refused by a rate limit, by policy (registerPerIp, loginPerIp, loginPerUsername, loginFailuresPerUsernameIp, refreshPerIp, refreshPerToken, logoutPerIp)', ['policy']),
};
