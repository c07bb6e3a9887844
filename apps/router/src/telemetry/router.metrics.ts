import { ChatMetrics, telemetry } from '@chat/telemetry';

/** This service's figures (see docs/observability.md). */
export const RouterMetrics = {
  chat: new ChatMetrics(telemetry, ['routed']),
  deliveries: telemetry.counter('router_deliveries_total', 'chat.frame-routed records produced to gateways, by frame type', ['type']),
};
