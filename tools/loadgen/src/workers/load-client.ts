import { randomUUID } from 'node:crypto';
import { AuthClient, AuthSession, ChatClient, type ChatSocket, DEFAULT_RECONNECT, reconnectDelay, type TokenSource } from '@chat/client-sdk';
import { type ChatMessage, type ClientFrameInput, CloseCodes, closeCodeName, JSON_CODEC, type WireCodec, wireCodec } from '@chat/protocol';
import { loadSocketFactory, type LoadSocketOptions } from './load-socket';
import type { ClientMode, ClientSpec, WorkerConfig } from './messages';
import { sentAtOf, wallClockMs } from './timed-body';

/** What a client tells its worker; the worker turns it into counters and histograms. */
export interface ClientObserver {
  opened(client: LoadClient): void;
  ready(client: LoadClient, again: boolean): void;
  lost(client: LoadClient): void;
  reconnectAttempt(client: LoadClient): void;
  /** A message of someone else (or an announcement) arrived: send → delivered. */
  delivered(latencyMs: number): void;
  /** This client's own message came back stored: send → stored. */
  stored(latencyMs: number): void;
  error(text: string): void;
  /** A WebSocket message of `bytes` bytes arrived / went out. */
  frameIn(bytes: number): void;
  frameOut(bytes: number): void;
}

export interface LoadClient {
  readonly key: string;
  readonly userId: string;
  readonly isReady: boolean;
  /** The gateway the current (or last) connection dialed. */
  readonly gateway: number;
  /** Resolves once connected and caught up the first time. */
  connect(): Promise<void>;
  /** Resolves when the gateway answered `accepted`. */
  send(conversationId: string, body: string): Promise<void>;
  openDirect(peerId: string): Promise<string>;
  createGroup(title: string, memberIds: string[]): Promise<string>;
  addMembers(conversationId: string, userIds: string[]): Promise<void>;
  close(): void;
}

export function createLoadClient(spec: ClientSpec, config: WorkerConfig, index: number, observer: ClientObserver): LoadClient {
  const socketOptions: LoadSocketOptions = {
    gatewayUrls: config.gatewayUrls,
    localAddress: config.sourceAddresses.length > 0 ? config.sourceAddresses[index % config.sourceAddresses.length] : undefined,
    failover: config.failover,
    onFrame: { received: (bytes) => observer.frameIn(bytes), sent: (bytes) => observer.frameOut(bytes) },
  };
  const token = tokenSourceOf(spec, config);
  return config.clientMode === 'light' ? new LightClient(spec, token, socketOptions, config, observer) : new SdkLoadClient(spec, token, socketOptions, config, observer);
}

function tokenSourceOf(spec: ClientSpec, config: WorkerConfig): TokenSource {
  if (spec.token) return spec.token;
  if (spec.pair && config.authUrl) return new AuthSession(new AuthClient(config.authUrl), spec.pair).tokenProvider;
  throw new Error(`client ${spec.key} has neither a token nor a token pair with an auth URL`);
}

function observeMessage(userId: string, message: Pick<ChatMessage, 'senderId' | 'body'>, observer: ClientObserver): void {
  const sentAt = sentAtOf(message.body);
  if (sentAt === undefined) return;
  const latency = wallClockMs() - sentAt;
  if (message.senderId === userId) observer.stored(latency);
  else observer.delivered(latency);
}

/**
 * An announcement with a timed body: send → reached, counted as a delivery. One sent before `since`
 * (this client's connect) came with the connect as a current one, not live, and is not counted.
 */
function observeAnnouncement(body: string, since: number, observer: ClientObserver): void {
  const sentAt = sentAtOf(body);
  if (sentAt === undefined || sentAt < since) return;
  observer.delivered(wallClockMs() - sentAt);
}

/**
 * Whether `message` is at or below the highest seq seen in its conversation (records it otherwise).
 * A connection gets a conversation's messages in seq order, so this catches redeliveries.
 */
export function isRepeat(lastSeq: Map<string, number>, message: Pick<ChatMessage, 'conversationId' | 'seq'>): boolean {
  const last = lastSeq.get(message.conversationId);
  if (last !== undefined && message.seq <= last) return true;
  lastSeq.set(message.conversationId, message.seq);
  return false;
}

/** One ChatClient per connection: the real SDK, with ordering, dedupe, catch-up and reconnects. */
class SdkLoadClient implements LoadClient {
  private readonly client: ChatClient;
  private gatewayIndex: number;
  private connectStartedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly spec: ClientSpec,
    private readonly token: TokenSource,
    socketOptions: LoadSocketOptions,
    config: WorkerConfig,
    observer: ClientObserver,
  ) {
    this.gatewayIndex = spec.gateway;
    this.client = new ChatClient({
      socketFactory: loadSocketFactory(spec.gateway, { ...socketOptions, onDial: (gateway) => (this.gatewayIndex = gateway) }),
      userId: spec.userId,
      codec: config.codec,
      retainMessages: false,
      newConversations: 'latest',
      // A loaded suite answers slowly; the load generator waits rather than failing on the SDK's app-friendly defaults.
      connectTimeoutMs: 0,
      requestTimeoutMs: 60_000,
      storedTimeoutMs: 120_000,
      ...(config.reconnect ? { reconnect: config.reconnect } : {}),
    });
    this.client.on('state', (change) => {
      if (change.state === 'syncing') observer.opened(this);
      if (change.state === 'reconnecting') {
        if (change.previous === 'ready' || change.previous === 'syncing') observer.lost(this);
        observer.reconnectAttempt(this);
      }
    });
    this.client.on('synced', ({ reconnected }) => observer.ready(this, reconnected));
    this.client.on('message', (message) => observeMessage(spec.userId, message, observer));
    // The SDK tells of each announcement once.
    this.client.on('announcement', (announcement) => observeAnnouncement(announcement.body, this.connectStartedAt, observer));
    this.client.on('error', (error) => observer.error(error.message));
  }

  get key(): string {
    return this.spec.key;
  }

  get userId(): string {
    return this.spec.userId;
  }

  get isReady(): boolean {
    return this.client.state === 'ready';
  }

  get gateway(): number {
    return this.gatewayIndex;
  }

  connect(): Promise<void> {
    this.connectStartedAt = wallClockMs();
    // The URL is only a label here: the socket factory dials the gateway.
    return this.client.connect('ws://loadgen.invalid/ws', this.token);
  }

  async send(conversationId: string, body: string): Promise<void> {
    await this.client.send(conversationId, body);
  }

  async openDirect(peerId: string): Promise<string> {
    return (await this.client.openDirect(peerId)).conversationId;
  }

  async createGroup(title: string, memberIds: string[]): Promise<string> {
    return (await this.client.createGroup(title, memberIds)).conversationId;
  }

  async addMembers(conversationId: string, userIds: string[]): Promise<void> {
    await this.client.addMembers(conversationId, userIds);
  }

  close(): void {
    this.client.close();
  }
}

interface Pending {
  resolve(frame: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const LIGHT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * The SDK's socket layer with a minimal frame loop, for very many connections, high message rates
 * or receivers of a heavy fan-out: the same authentication (token at the upgrade), the same frames
 * and the same reconnect backoff (the SDK's reconnectDelay), but no catch-up (`sync`) after a
 * reconnect, no schema validation of incoming frames (JSON.parse only; Protobuf frames are decoded
 * by the codec, which validates) and of `send` frames (JSON only), and only a per-conversation
 * "highest seq seen" instead of the SDK's ordering and dedupe. `ready` = the gateway answered a
 * `ping`, which it only does on an authenticated socket.
 */
class LightClient implements LoadClient {
  private readonly codec: WireCodec;
  private socket: ChatSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly dial: ReturnType<typeof loadSocketFactory>;
  private gatewayIndex: number;
  private state: 'idle' | 'connecting' | 'open' | 'ready' | 'reconnecting' | 'closed' = 'idle';
  private everReady = false;
  private failedAttempts = 0;
  private counter = 0;
  private firstReady: { resolve(): void; reject(error: Error): void } | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Highest seq seen per conversation: a message at or below it is a duplicate (or out of order) and not counted. */
  private readonly lastSeq = new Map<string, number>();
  /** Announcements counted: each once, however often it arrives. */
  private readonly announcements = new Set<string>();
  private connectStartedAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly spec: ClientSpec,
    private readonly token: TokenSource,
    socketOptions: LoadSocketOptions,
    private readonly config: WorkerConfig,
    private readonly observer: ClientObserver,
  ) {
    this.gatewayIndex = spec.gateway;
    this.codec = wireCodec(config.codec);
    this.dial = loadSocketFactory(spec.gateway, { ...socketOptions, onDial: (gateway) => (this.gatewayIndex = gateway) });
  }

  get key(): string {
    return this.spec.key;
  }

  get userId(): string {
    return this.spec.userId;
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  get gateway(): number {
    return this.gatewayIndex;
  }

  /** close() may run while a token is being fetched. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  connect(): Promise<void> {
    this.connectStartedAt = wallClockMs();
    return new Promise<void>((resolve, reject) => {
      this.firstReady = { resolve, reject };
      void this.open('connect');
    });
  }

  private async open(reason: 'connect' | 'expired'): Promise<void> {
    this.state = 'connecting';
    let token: string;
    try {
      token = typeof this.token === 'string' ? this.token : await this.token(reason);
    } catch (error) {
      this.observer.error(`token: ${error instanceof Error ? error.message : String(error)}`);
      this.scheduleReconnect(undefined);
      return;
    }
    if (this.isClosed()) return;
    const socket = this.dial(
      { url: 'ws://loadgen.invalid/ws', token, subprotocol: this.codec.subprotocol },
      {
        onOpen: () => {
          if (this.socket !== socket) return;
          this.state = 'open';
          this.observer.opened(this);
          this.request({ type: 'ping' }).then(
            () => {
              if (this.socket !== socket) return;
              this.state = 'ready';
              this.failedAttempts = 0;
              this.observer.ready(this, this.everReady);
              this.everReady = true;
              this.firstReady?.resolve();
              this.firstReady = undefined;
            },
            () => undefined,
          );
        },
        onMessage: (data) => this.onFrame(data),
        onError: () => undefined,
        onClose: (code) => {
          if (this.socket !== socket) return;
          this.socket = undefined;
          this.failAll(new Error(`connection closed (${code})`));
          if (this.state === 'closed') return;
          if (this.state === 'ready' || this.state === 'open') this.observer.lost(this);
          const policy = CloseCodes[closeCodeName(code) ?? 'internal_error']?.reconnect ?? 'yes';
          if (policy === 'no') {
            this.state = 'closed';
            this.firstReady?.reject(new Error(`refused for good (${code})`));
            this.firstReady = undefined;
            return;
          }
          this.scheduleReconnect(code);
        },
      },
    );
    this.socket = socket;
  }

  private scheduleReconnect(code: number | undefined): void {
    this.state = 'reconnecting';
    this.observer.reconnectAttempt(this);
    const options = { ...DEFAULT_RECONNECT, ...this.config.reconnect };
    const delay = reconnectDelay(this.failedAttempts++, options, Math.random, code === CloseCodes.try_again_later.code);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state !== 'closed') void this.open(code === CloseCodes.token_expired.code ? 'expired' : 'connect');
    }, delay);
  }

  private onFrame(data: string | Uint8Array): void {
    let frame: Record<string, unknown>;
    try {
      frame = (typeof data === 'string' && this.codec === JSON_CODEC ? JSON.parse(data) : this.codec.decodeServer(data, Number.MAX_SAFE_INTEGER)) as Record<string, unknown>;
    } catch {
      this.observer.error('undecodable frame');
      return;
    }
    if (frame.type === 'message') {
      const message = frame as unknown as ChatMessage;
      if (isRepeat(this.lastSeq, message)) this.observer.error(`message seq ${message.seq} of ${message.conversationId} again or out of order (seen up to ${this.lastSeq.get(message.conversationId)})`);
      else observeMessage(this.spec.userId, message, this.observer);
      return;
    }
    const replyTo = typeof frame.replyTo === 'string' ? frame.replyTo : undefined;
    if (frame.type === 'announcement' && replyTo === undefined) {
      const announcementId = String(frame.announcementId);
      if (this.announcements.has(announcementId)) return;
      this.announcements.add(announcementId);
      observeAnnouncement(String(frame.body), this.connectStartedAt, this.observer);
      return;
    }
    const pending = replyTo === undefined ? undefined : this.pending.get(replyTo);
    if (!pending || replyTo === undefined) {
      if (frame.type === 'error') this.observer.error(`${String(frame.code)}: ${String(frame.message)}`);
      return;
    }
    this.pending.delete(replyTo);
    clearTimeout(pending.timer);
    if (frame.type === 'error') pending.reject(new Error(`${String(frame.code)}: ${String(frame.message)}`));
    else pending.resolve(frame);
  }

  /** Sends a request frame (validated by the protocol's encoder unless `trusted`) and resolves with the answer. */
  private request(frame: Record<string, unknown>, trusted = false): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (!socket || (this.state !== 'open' && this.state !== 'ready')) return Promise.reject(new Error(`not connected (${this.state})`));
    const id = `l${++this.counter}`;
    const encoded = trusted && this.codec === JSON_CODEC ? JSON.stringify({ ...frame, id }) : this.codec.encodeClient({ ...frame, id } as ClientFrameInput);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${String(frame.type)}: no answer within ${LIGHT_REQUEST_TIMEOUT_MS} ms`));
      }, LIGHT_REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      socket.send(encoded);
    });
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }

  /** Resolves on `accepted`. The frame is not run through the protocol's schema: the generator's own bodies are plain ASCII of a fixed size. */
  async send(conversationId: string, body: string): Promise<void> {
    await this.request({ type: 'send', conversationId, clientMsgId: randomUUID(), body, kind: 'text' }, true);
  }

  async openDirect(peerId: string): Promise<string> {
    return String((await this.request({ type: 'open_direct', userId: peerId })).conversationId);
  }

  async createGroup(title: string, memberIds: string[]): Promise<string> {
    return String((await this.request({ type: 'create_group', title, memberIds })).conversationId);
  }

  async addMembers(conversationId: string, userIds: string[]): Promise<void> {
    await this.request({ type: 'add_members', conversationId, userIds });
  }

  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.failAll(new Error('closed'));
    this.firstReady?.reject(new Error('closed'));
    this.firstReady = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'load generator done');
  }
}

export type { ClientMode };
