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
