import { z } from 'zod';
import { TimestampSchema } from '@chat/wire';
import { defineRecord } from '../envelope';
import { GatewayIdSchema } from '../ids';

/**
 * A gateway saying "I am alive until at + ttlMs", renewed well before that, on the compacted
 * `chat.gateways` (key = gatewayId). When a lease runs out the router treats the gateway as dead:
 * it drops that gateway's presence and stops routing to it. A gateway shutting down cleanly writes
 * a tombstone so it is forgotten at once.
 */
export const GatewayLeaseRenewed = defineRecord(
  'chat.gateway-lease-renewed',
  1,
  z.strictObject({
    gatewayId: GatewayIdSchema,
    /** Start of this gateway process; a new value means a restart, which voids older presence records. */
    startedAt: TimestampSchema,
    at: TimestampSchema,
    ttlMs: z.number().int().min(1000).max(10 * 60 * 1000),
  }),
);
