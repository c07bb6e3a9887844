import { z } from 'zod';
import { defineRecord } from './envelope';

export const ServiceNames = ['gateway', 'auth', 'router', 'persistence', 'metrics'] as const;
export type ServiceName = (typeof ServiceNames)[number];

/** A service instance saying it is alive; a missing heartbeat is how metrics notices a dead instance. */
export const InstanceHeartbeat = defineRecord(
  'ops.instance-heartbeat',
  1,
  z.strictObject({
    service: z.enum(ServiceNames),
    instanceId: z.string().min(1).max(200),
    startedAt: z.number().int().nonnegative(),
    intervalMs: z.number().int().positive(),
    ready: z.boolean(),
  }),
);
