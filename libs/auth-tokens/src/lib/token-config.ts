import { z } from 'zod';
import type { AccessTokenSettings } from './access-token';

/**
 * Environment of the services that sign (auth) or verify (gateway) access tokens. The secret comes
 * from the environment only; it must be long enough to resist brute force on HS256.
 */
export const accessTokenEnvSchema = z.object({
  JWT_SECRET: z.string({ error: 'is required (at least 32 characters, shared by auth and gateway)' }).min(32, 'must be at least 32 characters'),
  JWT_ISSUER: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).default('chat-auth')),
  JWT_AUDIENCE: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).default('chat')),
});

export function accessTokenSettings(env: z.output<typeof accessTokenEnvSchema>): AccessTokenSettings {
  return { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
}

/** Words of placeholder secrets copied from examples and never replaced (compared without case or punctuation). */
const PLACEHOLDER_WORDS = ['changeme', 'secret', 'default', 'password', 'placeholder', 'example'];

/** Fewer distinct characters than this in a secret of any length means it was typed, not generated. */
const MIN_DISTINCT_CHARS = 10;

/**
 * Why `secret` looks like a default or hand-made value rather than a generated one, or undefined.
 * Length is checked by the schema; this catches the long but guessable ones (`xxxx…`, `change-me-…`).
 */
export function weakSecretProblem(secret: string): string | undefined {
  const distinct = new Set(secret).size;
  if (distinct === 1) return 'must not be one repeated character';
  if (distinct < MIN_DISTINCT_CHARS) return `must not be made of fewer than ${MIN_DISTINCT_CHARS} distinct characters`;
  const normalized = secret.toLowerCase().replace(/[^a-z0-9]/g, '');
  const word = PLACEHOLDER_WORDS.find((candidate) => normalized.includes(candidate));
  if (word) return `must not contain "${word}": it looks like a placeholder; generate one (openssl rand -base64 48)`;
  return undefined;
}

/**
 * superRefine for an app config holding NODE_ENV and JWT_SECRET: in production a weak or default
 * secret is a configuration error (exit 78), because anyone who guesses it can mint tokens for any
 * user. Development and tests keep accepting any secret of the minimum length.
 */
export function refineProductionSecret(config: { NODE_ENV: string; JWT_SECRET: string }, ctx: z.RefinementCtx): void {
  if (config.NODE_ENV !== 'production') return;
  const problem = weakSecretProblem(config.JWT_SECRET);
  // Never echo the secret itself: config errors are printed.
  if (problem) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: `in production ${problem}`, input: '<redacted>' });
}
