import { ChatQueries } from '@chat/protocol';
import { ChatMetrics, telemetry } from '@chat/telemetry';

const commandsDeadLettered = telemetry.counter(
  'persistence_commands_dead_lettered_total',
  'Commands from chat.commands (the gateway had answered `accepted` to a send) that persistence gave up on: dead-lettered, their sender answered `error not_stored`; by record type',
  ['type'],
);
// Exported at 0 from the start: a dashboard or alert tells "none" apart from "not reported".
commandsDeadLettered.inc({ type: 'chat.command.send-message' }, 0);

const queriesDeadLettered = telemetry.counter(
  'persistence_queries_dead_lettered_total',
  'Reads from chat.queries (sync, history, list_conversations) that persistence gave up on: dead-lettered, their asker answered `error internal`; by record type',
  ['type'],
);
for (const { type } of ChatQueries.types) queriesDeadLettered.inc({ type }, 0);

/**
 * This service's figures (see docs/observability.md): the `stored` and `routed` stages (it delivers
 * what it stores straight to the gateways), the `accepted_to_stored` span, and the commands and reads it
 * gave up on (each one's asker told: `not_stored`, `internal`).
 */
export const PersistenceMetrics = {
  commandsDeadLettered,
  queriesDeadLettered,
  chat: new ChatMetrics(telemetry, ['stored', 'routed']),
  deliveries: telemetry.counter(
    'persistence_deliveries_total',
    'Frames produced straight to gateways (each frame of each chat.frames-routed), by frame type',
    ['type'],
  ),
  queries: telemetry.counter('persistence_queries_total', 'Reads answered from chat.queries (rejected ones included), by record type', ['type']),
};
