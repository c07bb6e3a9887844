import { ChatMetrics, telemetry } from '@chat/telemetry';

/** This service's figures (see docs/observability.md): the `stored` stage and the `accepted_to_stored` span. */
export const PersistenceMetrics = {
  chat: new ChatMetrics(telemetry, ['stored']),
};
