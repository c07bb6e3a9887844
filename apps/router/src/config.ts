import { baseConfigSchema, configFrom, envInt } from '@chat/service-kit';

export const routerConfigSchema = baseConfigSchema.extend({
  /** Partitions of `chat.events` one instance routes in parallel (order holds within each). */
  ROUTER_CONCURRENT_PARTITIONS: envInt({ min: 1, max: 64, default: 4 }),
});

/** The router's validated configuration; inject it by this class. */
export class RouterConfig extends configFrom(routerConfigSchema) {}
