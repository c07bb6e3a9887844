import { LatencyHistogram } from '../report/latency';
import { createLoadClient, type ClientObserver, type LoadClient } from './load-client';
import {
  emptyCounters,
  type ClientSpec,
  type OpenResult,
  type SendLoadResult,
  type SenderSpec,
  type TickCounters,
  type TickMessage,
  type WorkerConfig,
  type WorkerMessage,
  type WorkerRequest,
} from './messages';
import { timedBody, wallClockMs } from './timed-body';

/*
 * A worker process of the load generator (main.js in worker mode, forked by WorkerPool): holds its
 * share of the connections, sends its share of the load, and reports counters and latency
 * histograms to the coordinator once a second.
 */

const TICK_MS = 1000;
const MAX_ERROR_SAMPLES = 5;
const MAX_RESULT_ERRORS = 20;
const ACCEPT_WAIT_MS = 120_000;

function send(message: WorkerMessage): void {
  // A tick after the coordinator hung up would throw EPIPE; nobody is listening any more.
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class Worker {
  private config: WorkerConfig | undefined;
  private readonly clients = new Map<string, LoadClient>();
  private counters: TickCounters = emptyCounters();
  private readonly accepted = new LatencyHistogram();
  private readonly delivered = new LatencyHistogram();
  private readonly stored = new LatencyHistogram();
  private errorSamples: string[] = [];
  private readonly observer: ClientObserver = {
    opened: () => this.counters.opened++,
    ready: (_client, again) => (again ? this.counters.readyAgain++ : this.counters.ready++),
    lost: () => this.counters.lost++,
    reconnectAttempt: () => this.counters.reconnectAttempts++,
    delivered: (latency) => {
      this.counters.delivered++;
      this.delivered.record(latency);
    },
    stored: (latency) => {
      this.counters.stored++;
      this.stored.record(latency);
    },
    error: (text) => this.noteError(text),
    frameIn: (bytes) => {
      this.counters.framesIn++;
      this.counters.bytesIn += bytes;
    },
    frameOut: (bytes) => {
      this.counters.framesOut++;
      this.counters.bytesOut += bytes;
    },
  };

  start(): void {
    process.on('message', (message: WorkerRequest) => {
      this.handle(message).then(
        (result) => send({ type: 'reply', id: message.id, ok: true, result }),
        (error: unknown) => send({ type: 'reply', id: message.id, ok: false, error: describe(error) }),
      );
    });
    // The coordinator gone means nobody reads the results: stop instead of holding sockets.
    process.on('disconnect', () => process.exit(0));
    setInterval(() => this.tick(), TICK_MS);
    send({ type: 'worker-ready', pid: process.pid });
  }

  private noteError(text: string): void {
    this.counters.errors++;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES) this.errorSamples.push(text.slice(0, 200));
  }

  private tick(): void {
    const readyByGateway = new Array<number>(this.config?.gatewayUrls.length ?? 0).fill(0);
    let ready = 0;
    for (const client of this.clients.values()) {
      if (!client.isReady) continue;
      ready++;
      readyByGateway[client.gateway] = (readyByGateway[client.gateway] ?? 0) + 1;
    }
    const memory = process.memoryUsage();
    const message: TickMessage = {
      type: 'tick',
      workerIndex: this.config?.workerIndex ?? -1,
      at: Date.now(),
      counters: this.counters,
      histograms: { accepted: this.accepted.takeEncoded(), delivered: this.delivered.takeEncoded(), stored: this.stored.takeEncoded() },
      gauges: { open: this.clients.size, ready, readyByGateway, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      errorSamples: this.errorSamples,
    };
    this.counters = emptyCounters();
    this.errorSamples = [];
    send(message);
  }

  private async handle(request: WorkerRequest): Promise<unknown> {
    switch (request.type) {
      case 'configure':
        this.config = request.config;
        return undefined;
      case 'open':
        return this.open(request.clients, request.ratePerSecond);
      case 'open-directs':
        return Promise.all(request.items.map(({ key, peerId }) => this.client(key).openDirect(peerId)));
      case 'create-group': {
        const creator = this.client(request.key);
        const conversationId = await creator.createGroup(request.title, request.memberIds);
        for (const batch of request.addBatches ?? []) await creator.addMembers(conversationId, batch);
        return conversationId;
      }
      case 'send-load':
        return this.sendLoad(request.senders, request.ratePerSecond, request.durationMs, request.payloadBytes, request.tag);
      case 'gauges':
        return { open: this.clients.size, ready: [...this.clients.values()].filter((c) => c.isReady).length };
      case 'close-all':
        for (const client of this.clients.values()) client.close();
        this.clients.clear();
        return undefined;
    }
  }

  private client(key: string): LoadClient {
    const client = this.clients.get(key);
    if (!client) throw new Error(`no client ${key} in worker ${this.config?.workerIndex}`);
    return client;
  }

  /** Connects clients at `ratePerSecond` (0: all at once) and resolves when every one is ready or has failed. */
  private async open(specs: ClientSpec[], ratePerSecond: number): Promise<OpenResult> {
    const config = this.config;
    if (!config) throw new Error('worker not configured');
    const result: OpenResult = { requested: specs.length, ready: 0, failed: 0, firstReadyAt: 0, lastReadyAt: 0, errors: [] };
    const started = performance.now();
    const connections: Promise<void>[] = [];
    for (const [index, spec] of specs.entries()) {
      if (ratePerSecond > 0) {
        const dueAt = started + (index * 1000) / ratePerSecond;
        const wait = dueAt - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      } else if (index % 500 === 499) {
        // Yield now and then so the sockets already opening make progress.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const client = createLoadClient(spec, config, this.clients.size, this.observer);
      this.clients.set(spec.key, client);
      connections.push(
        client.connect().then(
          () => {
            const now = wallClockMs();
            result.ready++;
            if (result.firstReadyAt === 0) result.firstReadyAt = now;
            result.lastReadyAt = Math.max(result.lastReadyAt, now);
          },
          (error: unknown) => {
            result.failed++;
            if (result.errors.length < MAX_RESULT_ERRORS) result.errors.push(`${spec.key}: ${describe(error)}`);
          },
        ),
      );
    }
    await Promise.all(connections);
    return result;
  }

  /**
   * Sends timed messages at `ratePerSecond` in total, round robin over `senders`, for `durationMs`.
   * A late event loop sends what is due at once (no coordinated omission: the send time in the body
   * is when the message was due). Resolves when every send was accepted or failed.
   */
  private async sendLoad(senders: SenderSpec[], ratePerSecond: number, durationMs: number, payloadBytes: number, tag: string): Promise<SendLoadResult> {
    const result: SendLoadResult = { sent: 0, accepted: 0, failed: 0, errors: [], lateSends: 0 };
    if (senders.length === 0 || ratePerSecond <= 0) return result;
    const clients = senders.map((sender) => ({ client: this.client(sender.key), conversationId: sender.conversationId }));
    const total = Math.round((ratePerSecond * durationMs) / 1000);
    const startedAt = wallClockMs();
    const sends: Promise<void>[] = [];
    let next = 0;
    while (next < total) {
      const now = wallClockMs();
      const due = Math.min(total, Math.floor(((now - startedAt) * ratePerSecond) / 1000) + 1);
      for (; next < due; next++) {
        const dueAt = startedAt + (next * 1000) / ratePerSecond;
        if (now - dueAt > 50) result.lateSends++;
        const { client, conversationId } = clients[next % clients.length];
        result.sent++;
        this.counters.sent++;
        sends.push(
          withDeadline(client.send(conversationId, timedBody(tag, dueAt, payloadBytes)), ACCEPT_WAIT_MS).then(
            () => {
              result.accepted++;
              this.counters.accepted++;
              this.accepted.record(wallClockMs() - dueAt);
            },
            (error: unknown) => {
              result.failed++;
              this.counters.sendFailed++;
              const text = describe(error);
              this.noteError(`send: ${text}`);
              if (result.errors.length < MAX_RESULT_ERRORS) result.errors.push(text);
            },
          ),
        );
      }
      if (next < total) await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(10, 1000 / ratePerSecond))));
    }
    await Promise.all(sends);
    return result;
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not accepted within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export function runWorker(): void {
  new Worker().start();
}
