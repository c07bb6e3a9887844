import { baseConfigSchema, configFrom, envInt } from '@chat/service-kit';

export const metricsConfigSchema = baseConfigSchema.extend({
  /**
   * An instance whose last heartbeat (or metrics sample) is older than this many of its own intervals
   * is flagged missing; a missing instance's gauges and rates drop out of the cluster figures.
   */
  MISSED_HEARTBEATS_BEFORE_MISSING: envInt({ min: 2, max: 100, default: 3 }),
  /** How often consumer lag and dead-letter topic sizes are read through the Kafka admin API. */
  LAG_POLL_INTERVAL_MS: envInt({ min: 500, max: 600000, default: 3000 }),
  /** How much history the dashboard's time series keep, at one point per second. */
  TIMESERIES_SECONDS: envInt({ min: 60, max: 86400, default: 600 }),
});

/** The metrics's validated configuration; inject it by this class. */
export class MetricsConfig extends configFrom(metricsConfigSchema) {}
