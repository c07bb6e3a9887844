import type { z } from 'zod';
import { baseConfigSchema, envInt } from '@chat/service-kit';

export const metricsConfigSchema = baseConfigSchema.extend({
  /** An instance whose last heartbeat is older than this many of its own intervals is flagged missing. */
  MISSED_HEARTBEATS_BEFORE_MISSING: envInt({ min: 2, max: 100, default: 3 }),
});

export type MetricsConfig = z.infer<typeof metricsConfigSchema>;
