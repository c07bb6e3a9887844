import type { z } from 'zod';
import { baseConfigSchema, databaseUrl } from '@chat/service-kit';

export const authConfigSchema = baseConfigSchema.extend({
  /** This service's own database; no other service reads its tables. */
  DATABASE_URL: databaseUrl,
});

export type AuthConfig = z.infer<typeof authConfigSchema>;
