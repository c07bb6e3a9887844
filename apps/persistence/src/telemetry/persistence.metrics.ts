import { ChatMetrics, telemetry } from '@chat/telemetry';

/**
 * This service's figures (see docs/observability.md): the `stored` and `routed` stages (it delivers
 * what it stores straight to the gateways) and the `accepted_to_stored` span.
 */
export const PersistenceMetrics = {
  chat: new ChatMetrics(telemetry, ['stored', 'routed']),
  deliveries: telemetry.counter(
    'persistence_deliveries_total',
    'Frames produced straight to gateways (each frame of each chat.frames-routed), by frame type',
    ['type'],
  ),
  queries: telemetry.counter('persistence_queries_total', 'Reads answered from chat.queries (rejected ones included), by record type', ['type']),
};
