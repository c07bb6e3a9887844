import { accessTokenSignerEnvSchema, refineSigningKeys } from '@chat/auth-tokens';
import { z } from 'zod';
import { checkDatabaseTlsConfig, databaseTlsEnv } from '@chat/database';
import { UsernameSchema } from '@chat/protocol';
import { baseConfigSchema, configFrom, databaseUrl, envInt } from '@chat/service-kit';

/** A comma-separated list of usernames, kept lowercase: usernames are unique regardless of case. */
const usernameList = z.preprocess(
  (value) => (typeof value === 'string' ? value : ''),
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .superRefine((names, ctx) => {
      for (const name of names) {
        if (!UsernameSchema.safeParse(name).success) ctx.addIssue({ code: 'custom', message: `"${name.slice(0, 40)}" is not a username (3-32 characters of A-Z, a-z, 0-9, _, . and -)`, input: name });
      }
    })
    .transform((names) => names.map((name) => name.toLowerCase())),
);

const MINUTE_S = 60;
const DAY_S = 24 * 60 * MINUTE_S;

export const authConfigSchema = baseConfigSchema
  .extend(accessTokenSignerEnvSchema.shape)
  .extend({
    /** This service's own database; no other service reads its tables. */
    DATABASE_URL: databaseUrl,
    /** TLS to PostgreSQL: libpq's sslmode words and the server's CA (docs/deploy.md, "PostgreSQL over TLS"). */
    ...databaseTlsEnv,
    /** Lifetime of an access token; short, since a token cannot be revoked before it expires. */
    ACCESS_TOKEN_TTL_SECONDS: envInt({ min: 30, max: DAY_S, default: 15 * MINUTE_S }),
    /** Lifetime of a refresh token; each rotation starts a new one. */
    REFRESH_TOKEN_TTL_SECONDS: envInt({ min: 5 * MINUTE_S, max: 365 * DAY_S, default: 30 * DAY_S }),
    /** Registrations one client IP may make per minute (burst of the same size). */
    RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: envInt({ min: 1, max: 1_000_000, default: 10 }),
    /** Login attempts one client IP may make per minute. */
    RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: envInt({ min: 1, max: 1_000_000, default: 20 }),
    /**
     * Failed logins on one username per minute, whichever IPs they come from (slows guessing one
     * password from many addresses). Successful logins do not count, and once it is spent an address
     * that logged in to this username before is still let in: strangers cannot lock the user out.
     */
    RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: envInt({ min: 1, max: 1_000_000, default: 10 }),
    /** Failed logins on one username from one IP per minute (a guesser at one address, or a user who forgot). */
    RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP_PER_MINUTE: envInt({ min: 1, max: 1_000_000, default: 5 }),
    /** Refresh requests one client IP may make per minute. */
    RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: envInt({ min: 1, max: 1_000_000, default: 60 }),
    /** Refresh requests presenting one refresh token per minute (tabs racing to refresh, or a stolen token replayed). */
    RATE_LIMIT_REFRESH_PER_TOKEN_PER_MINUTE: envInt({ min: 1, max: 1_000_000, default: 10 }),
    /** Logout requests one client IP may make per minute. */
    RATE_LIMIT_LOGOUT_PER_IP_PER_MINUTE: envInt({ min: 1, max: 1_000_000, default: 30 }),
    /**
     * Reverse proxies in front of auth whose X-Forwarded-For is trusted to name the client IP (rate
     * limits are per IP). 0: the TCP peer is the client.
     */
    TRUST_PROXY_HOPS: envInt({ min: 0, max: 10, default: 0 }),
    /**
     * Users whose tokens carry the `admin` role (they may send announcements), checked at every login
     * and refresh: adding or removing a name takes effect within one access-token lifetime. How the
     * first administrator is made: register the user, then list the name here and restart auth.
     */
    ADMIN_USERNAMES: usernameList,
    /** How often pending outbox records (user announcements) are retried, e.g. after a Kafka outage. */
    OUTBOX_POLL_INTERVAL_MS: envInt({ min: 100, max: 600_000, default: 5000 }),
  })
  .superRefine(refineSigningKeys)
  .superRefine(checkDatabaseTlsConfig);

/** The auth's validated configuration; inject it by this class. */
export class AuthConfig extends configFrom(authConfigSchema) {}
