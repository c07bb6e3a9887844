import { Injectable } from '@nestjs/common';
import { AuthConfig } from '../config';
import { AuthError } from '../errors/auth-error';
import { AuthMetrics } from '../telemetry/auth.metrics';
import { TokenBucketLimiter } from './token-bucket-limiter';

export type RateLimitPolicy =
  | 'registerPerIp'
  | 'loginPerIp'
  | 'loginPerUsername'
  | 'loginFailuresPerUsernameIp'
  | 'refreshPerIp'
  | 'refreshPerToken'
  | 'logoutPerIp';

const MINUTE_MS = 60_000;

const DESCRIPTIONS: Record<RateLimitPolicy, string> = {
  registerPerIp: 'too many registrations from this address',
  loginPerIp: 'too many login attempts from this address',
  loginPerUsername: 'too many failed logins for this username; retry later, or from a device that logged in before',
  loginFailuresPerUsernameIp: 'too many failed logins for this username from this address',
  refreshPerIp: 'too many token refreshes from this address',
  refreshPerToken: 'too many refreshes of this refresh token',
  logoutPerIp: 'too many logouts from this address',
};

/** The configured limits of the auth API, one limiter per policy (see TokenBucketLimiter on replicas). */
@Injectable()
export class RateLimits {
  private readonly limiters: Record<RateLimitPolicy, TokenBucketLimiter>;

  constructor(config: AuthConfig) {
    this.limiters = {
      registerPerIp: new TokenBucketLimiter({ limit: config.RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE, windowMs: MINUTE_MS }),
      loginPerIp: new TokenBucketLimiter({ limit: config.RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE, windowMs: MINUTE_MS }),
      loginPerUsername: new TokenBucketLimiter({ limit: config.RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE, windowMs: MINUTE_MS }),
      loginFailuresPerUsernameIp: new TokenBucketLimiter({ limit: config.RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP_PER_MINUTE, windowMs: MINUTE_MS }),
      refreshPerIp: new TokenBucketLimiter({ limit: config.RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE, windowMs: MINUTE_MS }),
      refreshPerToken: new TokenBucketLimiter({ limit: config.RATE_LIMIT_REFRESH_PER_TOKEN_PER_MINUTE, windowMs: MINUTE_MS }),
      logoutPerIp: new TokenBucketLimiter({ limit: config.RATE_LIMIT_LOGOUT_PER_IP_PER_MINUTE, windowMs: MINUTE_MS }),
    };
  }

  /** Gives back the attempt `key` spent under `policy` (it did not count, e.g. a successful login). */
  refund(policy: RateLimitPolicy, key: string, now = Date.now()): void {
    this.limiters[policy].refund(key, now);
  }

  /** Spends one attempt of `key` under `policy`, or throws `rate_limited` with the seconds to wait. */
  consume(policy: RateLimitPolicy, key: string, now = Date.now()): void {
    const result = this.limiters[policy].take(key, now);
    if (result.allowed) return;
    AuthMetrics.rateLimited.inc({ policy });
    throw new AuthError('rate_limited', DESCRIPTIONS[policy], { retryAfterSeconds: Math.max(1, Math.ceil(result.retryAfterMs / 1000)) });
  }
}
