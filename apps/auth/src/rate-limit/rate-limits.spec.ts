import { Test } from '@nestjs/testing';
import { telemetry } from '@chat/telemetry';
import { thrownBy } from '@chat/testing';
import { AuthConfig } from '../config';
import { AuthError } from '../errors/auth-error';
import { RateLimits } from './rate-limits';

const errorOf = (fn: () => unknown): AuthError => thrownBy(fn, AuthError);

describe('RateLimits', () => {
  async function create() {
    const moduleRef = await Test.createTestingModule({
      providers: [
        RateLimits,
        {
          provide: AuthConfig,
          useValue: {
            RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: 2,
            RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE: 3,
            RATE_LIMIT_LOGIN_PER_USERNAME_PER_MINUTE: 1,
            RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_IP_PER_MINUTE: 1,
            RATE_LIMIT_REFRESH_PER_IP_PER_MINUTE: 1,
            RATE_LIMIT_REFRESH_PER_TOKEN_PER_MINUTE: 1,
            RATE_LIMIT_LOGOUT_PER_IP_PER_MINUTE: 1,
          },
        },
      ],
    }).compile();
    return moduleRef.get(RateLimits);
  }

  it('applies each configured limit and answers rate_limited with whole seconds to wait', async () => {
    const limits = await create();
    limits.consume('registerPerIp', '10.0.0.1', 0);
    limits.consume('registerPerIp', '10.0.0.1', 0);
    const error = errorOf(() => limits.consume('registerPerIp', '10.0.0.1', 0));
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 30, message: 'too many registrations from this address' });
    expect(errorOf(() => limits.consume('registerPerIp', '10.0.0.1', 29_500)).retryAfterSeconds).toBe(1);
    expect(() => limits.consume('registerPerIp', '10.0.0.1', 30_000)).not.toThrow();
  });

  it('keeps policies apart: login limits do not spend registration tokens', async () => {
    const limits = await create();
    limits.consume('loginPerUsername', 'ann', 0);
    expect(errorOf(() => limits.consume('loginPerUsername', 'ann', 0)).retryAfterSeconds).toBe(60);
    for (let i = 0; i < 3; i += 1) limits.consume('loginPerIp', '10.0.0.1', 0);
    expect(() => limits.consume('registerPerIp', '10.0.0.1', 0)).not.toThrow();
  });

  it('counts refused requests per policy in auth_rate_limited_total', async () => {
    const limited = async () => (await telemetry.snapshotSample()).counters.find((c) => c.name === 'auth_rate_limited_total' && c.labels['policy'] === 'loginPerUsername')?.value ?? 0;
    const limits = await create();
    const before = await limited();
    limits.consume('loginPerUsername', 'bea', 0);
    errorOf(() => limits.consume('loginPerUsername', 'bea', 0));
    errorOf(() => limits.consume('loginPerUsername', 'bea', 0));
    expect(await limited()).toBe(before + 2);
  });
});
