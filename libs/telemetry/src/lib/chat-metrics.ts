import type { CounterMetric, Telemetry } from './telemetry';
import type { LatencyHistogram } from './latency-histogram';

/**
 * Where a chat message is counted on its way, each once per message by the service that owns the step:
 * - `accepted` (gateway): a `send` frame whose command Kafka acknowledged (the client got `accepted`);
 * - `stored` (persistence): a message inserted, after the transaction committed; a resend of a
 *   clientMsgId already stored is not counted, nor is a replayed command;
 * - `routed` (router): a `chat.message-stored` event whose deliveries were produced (once per
 *   event, however many gateways it went to, none included);
 * - `delivered` (gateway): a `message` frame written to a socket of a recipient other than the
 *   sender, once per socket;
 * - `echoed` (gateway): the same to the sender's own other sockets.
 */
export const MESSAGE_STAGES = ['accepted', 'stored', 'routed', 'delivered', 'echoed'] as const;
export type MessageStage = (typeof MESSAGE_STAGES)[number];

/**
 * End-to-end latency spans, from timestamps carried in the records (one clock per machine):
 * - `send_to_accepted` (gateway): frame read → Kafka acknowledged the command;
 * - `accepted_to_stored` (persistence): the command's `producedAt` → the message's `storedAt`;
 * - `stored_to_delivered` (gateway): the message's `storedAt` → written to a recipient's socket;
 * - `send_to_delivered` (gateway): the message's `sentAt` (frame read) → written to a recipient's socket.
 * The delivered spans take one value per `delivered` count (recipient socket), none for `echoed`.
 */
export const LATENCY_SPANS = ['send_to_accepted', 'accepted_to_stored', 'stored_to_delivered', 'send_to_delivered'] as const;
export type LatencySpan = (typeof LATENCY_SPANS)[number];

export const CHAT_MESSAGES_METRIC = 'chat_messages_total';
export const CHAT_LATENCY_METRIC = 'chat_latency_seconds';

/**
 * The message pipeline's shared figures, `chat_messages_total{stage}` and
 * `chat_latency_seconds{span}` (HDR twin `chat_latency_microseconds{span}`). Each service names the
 * stages it counts, which then read 0 from the start instead of being absent until the first message.
 */
export class ChatMetrics {
  private readonly messages: CounterMetric<'stage'>;
  private readonly latency: LatencyHistogram<'span'>;

  constructor(telemetry: Telemetry, ownStages: readonly MessageStage[]) {
    this.messages = telemetry.counter(CHAT_MESSAGES_METRIC, 'Chat messages counted at each stage of their way (see docs/observability.md)', ['stage']);
    this.latency = telemetry.latency(CHAT_LATENCY_METRIC, 'End-to-end latency of chat messages per span, from record timestamps', ['span']);
    for (const stage of ownStages) this.messages.inc({ stage }, 0);
  }

  count(stage: MessageStage, messages = 1): void {
    if (messages > 0) this.messages.inc({ stage }, messages);
  }

  /** Records one span of one message, from two epoch-millisecond timestamps; `times` values at once (e.g. one per socket of a fan-out). */
  span(span: LatencySpan, fromMs: number, toMs: number, times = 1): void {
    this.latency.record({ span }, toMs - fromMs, times);
  }
}
