import { envInt } from '@chat/service-kit';

/**
 * The read quota's settings, merged into the gateway's config schema (config.ts); enforced by ReadQuota: reads are the
 * frames that make persistence query the database and send back up to a megabyte, so one user's
 * storm of them is refused here, before anything reaches Kafka, whatever number of sockets it uses.
 */
export const readQuotaEnvShape = {
  /** `sync`, `history` and `list_conversations` frames one user may send per second on average, all sockets on this instance together… */
  READS_PER_USER_PER_SECOND: envInt({ min: 1, max: 10_000, default: 10 }),
  /** …and at once (a reconnect: list, sync, a few histories); beyond, `rate_limited` naming the limit and when to retry. */
  READS_PER_USER_BURST: envInt({ min: 1, max: 100_000, default: 30 }),
};
