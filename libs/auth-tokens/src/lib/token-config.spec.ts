import { z } from 'zod';
import { accessTokenEnvSchema, refineProductionSecret, weakSecretProblem } from './token-config';

const GENERATED = 'k7Qp2xVb9LmN4sTz8RcW1yHd6FgJ3aEu0oIiBvCn';

const appSchema = z.object({ NODE_ENV: z.enum(['development', 'production', 'test']), ...accessTokenEnvSchema.shape }).superRefine(refineProductionSecret);

function secretProblems(env: Record<string, string>): string[] {
  const parsed = appSchema.safeParse(env);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('weakSecretProblem', () => {
  it('accepts a generated secret', () => {
    expect(weakSecretProblem(GENERATED)).toBeUndefined();
  });

  it.each([
    ['one repeated character', 'x'.repeat(48)],
    ['few distinct characters', 'abcabcabcabcabcabcabcabcabcabcabc'],
    ['change-me', 'please-change-me-before-going-live-0123456789'],
    ['CHANGE_ME in capitals', 'CHANGE_ME_7Qp2xVb9LmN4sTz8RcW1yHd6FgJ3a'],
    ['secret', 'my-super-Secret-key-for-jwt-0123456789xyz'],
    ['default', 'default-jwt-key-0123456789-abcdefghijklmn'],
  ])('refuses %s', (_label, secret) => {
    expect(weakSecretProblem(secret)).toEqual(expect.any(String));
  });
});

describe('refineProductionSecret', () => {
  it('refuses a weak secret in production, without echoing it', () => {
    const problems = secretProblems({ NODE_ENV: 'production', JWT_SECRET: 'change-me-before-going-live-0123456789' });
    expect(problems).toEqual([expect.stringMatching(/^JWT_SECRET: in production must not contain "changeme"/)]);
    expect(problems.join()).not.toContain('change-me-before');
  });

  it('refuses a missing or short secret in production as in every mode', () => {
    expect(secretProblems({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^JWT_SECRET: is required/)]);
    expect(secretProblems({ NODE_ENV: 'production', JWT_SECRET: 'k7Qp2xVb9L' })).toEqual(['JWT_SECRET: must be at least 32 characters']);
  });

  it('accepts a generated secret in production and any long enough secret outside it', () => {
    expect(secretProblems({ NODE_ENV: 'production', JWT_SECRET: GENERATED })).toEqual([]);
    expect(secretProblems({ NODE_ENV: 'development', JWT_SECRET: 's'.repeat(32) })).toEqual([]);
    expect(secretProblems({ NODE_ENV: 'test', JWT_SECRET: 'change-me-before-going-live-0123456789' })).toEqual([]);
  });
});
