import { ChatMetrics, telemetry } from '@chat/telemetry';

/** This service's figures (see docs/observability.md). */
export const RouterMetrics = {
  chat: new ChatMetrics(telemetry, ['routed']),
  deliveries: telemetry.counter('router_deliveries_total', 'Frames routed to gateways (each frame of each chat.frames-routed), by frame type', ['type']),
};
