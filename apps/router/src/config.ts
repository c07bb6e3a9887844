import type { z } from 'zod';
import { baseConfigSchema, envInt } from '@chat/service-kit';

export const routerConfigSchema = baseConfigSchema.extend({
  /** Partitions of `chat.events` one instance routes in parallel (order holds within each). */
  ROUTER_CONCURRENT_PARTITIONS: envInt({ min: 1, max: 64, default: 4 }),
});

export type RouterConfig = z.infer<typeof routerConfigSchema>;
