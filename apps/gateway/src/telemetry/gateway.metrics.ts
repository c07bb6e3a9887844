import type { ServerFrame } from '@chat/protocol';
import { ChatMetrics, telemetry } from '@chat/telemetry';

/** This gateway's figures (see docs/observability.md); the message stages and spans it owns are in `chat`. */
export const GatewayMetrics = {
  chat: new ChatMetrics(telemetry, ['accepted', 'delivered', 'echoed']),
  connections: telemetry.gauge('chat_connections', 'WebSockets open on this gateway'),
  connectionsOpened: telemetry.counter('chat_connections_opened_total', 'WebSockets admitted (authenticated and registered)'),
  connectionsClosed: telemetry.counter('chat_connections_closed_total', 'Admitted WebSockets that closed, by close code (1006: dropped without a close frame)', ['code']),
  connectionsRefused: telemetry.counter('chat_connections_refused_total', 'WebSockets refused at admission, by the close code they got (400: refused at the upgrade, an unsupported subprotocol)', ['code']),
  framesIn: telemetry.counter('chat_frames_in_total', 'Frames read from clients, by type (`invalid` when unreadable)', ['type']),
  framesOut: telemetry.counter('chat_frames_out_total', 'Frames written to client sockets, by type (one per socket)', ['type']),
  errors: telemetry.counter('chat_errors_total', 'Error frames written to client sockets, by error code', ['code']),
  readsRefused: telemetry.counter('chat_reads_refused_total', 'Reads (sync, history, list_conversations) refused over the per-user read quota, by frame type', ['type']),
  outboundBuffered: telemetry.gauge('chat_outbound_buffered_bytes', "Bytes queued for all client sockets at the last count (each socket's backlog, shared broadcast bytes counted per socket)"),
  slowConsumersClosed: telemetry.counter(
    'chat_slow_consumers_closed_total',
    'Sockets closed (4005) or cut for not reading, by limit: `socket` (its backlog passed WS_MAX_BUFFERED_BYTES) or `process` (the largest backlogs when all of them passed GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES)',
    ['limit'],
  ),
};

/** Counts a frame written to `sockets` sockets. */
export function countFrameOut(frame: ServerFrame, sockets = 1): void {
  if (sockets <= 0) return;
  GatewayMetrics.framesOut.inc({ type: frame.type }, sockets);
  if (frame.type === 'error') GatewayMetrics.errors.inc({ code: frame.code }, sockets);
}
