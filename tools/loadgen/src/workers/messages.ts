import type { TokenPair } from '@chat/client-sdk';
import type { CodecName } from '@chat/protocol';

/*
 * What the coordinating process and its worker processes say to each other over the IPC channel
 * of child_process. Commands carry an id and are answered by exactly one `reply`; `tick`s come
 * unasked, once a second, with what happened since the previous one.
 */

/** `sdk`: one ChatClient per connection. `light`: the SDK's socket layer with a minimal frame loop (see load-client.ts). */
export type ClientMode = 'sdk' | 'light';

export interface WorkerConfig {
  workerIndex: number;
  gatewayUrls: string[];
  /** For clients with a token pair (refresh through auth). */
  authUrl?: string;
  /** Local addresses the clients bind to, round robin (empty: the OS chooses). */
  sourceAddresses: string[];
  clientMode: ClientMode;
  /** The wire codec every client of this worker speaks. */
  codec: CodecName;
  /** After a lost connection, reconnect to a random gateway of the list (a load balancer's job in production). */
  failover: boolean;
  /** SDK reconnect backoff; default the SDK's own. */
  reconnect?: { minDelayMs: number; maxDelayMs: number };
}

export interface ClientSpec {
  key: string;
  userId: string;
  /** Index into WorkerConfig.gatewayUrls of the first connection. */
  gateway: number;
  /** A fixed access token (minted for the run), or a logged-in pair refreshed through auth. */
  token?: string;
  pair?: TokenPair;
}

export interface SenderSpec {
  key: string;
  conversationId: string;
}

export type WorkerCommand =
  | { type: 'configure'; config: WorkerConfig }
  | { type: 'open'; clients: ClientSpec[]; ratePerSecond: number }
  | { type: 'open-directs'; items: Array<{ key: string; peerId: string }> }
  | { type: 'create-group'; key: string; title: string; memberIds: string[]; addBatches?: string[][] }
  | { type: 'send-load'; senders: SenderSpec[]; ratePerSecond: number; durationMs: number; payloadBytes: number; tag: string }
  | { type: 'gauges' }
  | { type: 'close-all' };

export type WorkerRequest = WorkerCommand & { id: number };

export interface OpenResult {
  requested: number;
  ready: number;
  failed: number;
  /** performance.timeOrigin-based wall clock (ms) of the first and last client to become ready. */
  firstReadyAt: number;
  lastReadyAt: number;
  errors: string[];
}

export interface SendLoadResult {
  sent: number;
  accepted: number;
  failed: number;
  errors: string[];
  /** Messages sent behind schedule because the event loop was late (a loaded load generator). */
  lateSends: number;
}

/** Counters since the previous tick. */
export interface TickCounters {
  /** Sockets opened (the upgrade went through; the token is checked right after). */
  opened: number;
  /** Clients that became ready (caught up) for the first time. */
  ready: number;
  /** Clients ready again after a lost connection. */
  readyAgain: number;
  /** Connections lost (state left ready/syncing for reconnecting). */
  lost: number;
  /** Reconnect attempts scheduled. */
  reconnectAttempts: number;
  sent: number;
  accepted: number;
  sendFailed: number;
  /** Messages of others received (each once, after the SDK's dedupe). */
  delivered: number;
  /** Own messages come back as stored. */
  stored: number;
  errors: number;
  /** WebSocket messages (frames) the clients received and sent, and their payload bytes. */
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
}

export interface TickGauges {
  open: number;
  ready: number;
  /** Ready clients per gateway index. */
  readyByGateway: number[];
  rssBytes: number;
  heapUsedBytes: number;
}

export interface TickMessage {
  type: 'tick';
  workerIndex: number;
  at: number;
  counters: TickCounters;
  /** HdrHistograms (compressed base64) of the latencies recorded since the previous tick. */
  histograms: { accepted?: string; delivered?: string; stored?: string };
  gauges: TickGauges;
  /** A few error texts of this second, for the report. */
  errorSamples: string[];
}

export interface ReplyMessage {
  type: 'reply';
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface ReadyMessage {
  type: 'worker-ready';
  pid: number;
}

export type WorkerMessage = TickMessage | ReplyMessage | ReadyMessage;

export function emptyCounters(): TickCounters {
  return { opened: 0, ready: 0, readyAgain: 0, lost: 0, reconnectAttempts: 0, sent: 0, accepted: 0, sendFailed: 0, delivered: 0, stored: 0, errors: 0, framesIn: 0, bytesIn: 0, framesOut: 0, bytesOut: 0 };
}

export function addCounters(into: TickCounters, from: TickCounters): void {
  for (const key of Object.keys(into) as Array<keyof TickCounters>) into[key] += from[key];
}
