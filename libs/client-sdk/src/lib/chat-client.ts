import {
  type Announcement,
  type AssignableRole,
  type ChatMessage,
  type ClientFrameInput,
  CloseCodes,
  closeCodeName,
  type ConversationSummary,
  encodeClientFrame,
  MAX_LISTED_CONVERSATIONS,
  MAX_SERVER_FRAME_BYTES,
  MAX_SYNC_CONVERSATIONS,
  ProtocolError,
  type ReceiptStatus,
  type ServerFrame,
  type ServerFrameOf,
  type ServerFrameType,
  type WireCodec,
  wireCodec,
} from '@chat/wire';
import { DEFAULT_RECONNECT, reconnectDelay, type ReconnectOptions } from './backoff';
import type {
  AnnounceOptions,
  ChatClientEvents,
  ChatClientOptions,
  ChatClientStats,
  ConnectionState,
  ConnectionStateChange,
  ConversationsPage,
  ConversationView,
  HistoryPage,
  SendOptions,
} from './chat-client.types';
import { applyGroupChange, ConversationState, type GroupChangeFrame } from './conversation-state';
import { Deferred } from './deferred';
import { ChatRequestError, ConnectionClosedError, RequestTimeoutError } from './errors';
import { Outbox, type OutboxEntry, type SendResult } from './outbox';
import { PendingRequests } from './pending-requests';
import { type BrowserWebSocketConstructor, browserSocketFactory, type ChatSocket, type SocketFactory } from './socket';
import { type TokenReason, type TokenSource, userIdFromToken } from './token';
import { type Listener, TypedEmitter } from './typed-emitter';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A client frame as the SDK builds it; the request id is added when it goes on the wire. */
type RequestFrame = DistributiveOmit<ClientFrameInput, 'id'>;

interface ShutdownOptions {
  /** Close our socket (explicit close, connect timeout) rather than react to the server closing it. */
  closeSocket: boolean;
  /** close() by the app: not an error. */
  explicit?: boolean;
  closeCode?: number;
  closeReason?: string;
}

export interface SyncCursor {
  conversationId: string;
  afterSeq: number;
}

export interface SyncedConversation {
  conversationId: string;
  lastSeq: number;
}

/** Sync rounds in a row that gain nothing at all, after which the conversations still behind are reported and left for the next trigger. */
const MAX_SYNC_ROUNDS_WITHOUT_PROGRESS = 1;
/** Pages listConversations follows at most (of MAX_LISTED_CONVERSATIONS each): a bound on what one call holds and asks. */
const MAX_LIST_PAGES = 100;

/** Backoff between automatic resends of a send the server did not take (unavailable, rate_limited, …). */
const SEND_RETRY_BACKOFF: ReconnectOptions = { minDelayMs: 250, maxDelayMs: 5_000 };

/** Send failures after which resending the same clientMsgId is safe and may succeed (docs/protocol.md). */
function isRetryableSendError(error: unknown): boolean {
  if (error instanceof RequestTimeoutError) return true;
  return error instanceof ChatRequestError && (error.code === 'unavailable' || error.code === 'rate_limited' || error.code === 'internal' || error.code === 'timeout');
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** The content of a frame without its framing (`type`, `replyTo`). */
function stripFrame<T extends { type: string; replyTo?: string }>(frame: T): Omit<T, 'type' | 'replyTo'> {
  const content: Partial<T> = { ...frame };
  delete content.type;
  delete content.replyTo;
  return content as Omit<T, 'type' | 'replyTo'>;
}

/**
 * A chat connection for one user: typed events, request/response helpers, per-conversation ordering
 * with dedupe and gap filling, and reconnects that catch up and resend what was not yet stored.
 *
 * ```ts
 * const client = new ChatClient();
 * client.on('message', (m) => show(m));
 * await client.connect('ws://127.0.0.1:3000/ws', (reason) => tokens.accessToken(reason));
 * const conversation = await client.openDirect(friendId);
 * const stored = await client.sendAndWaitStored(conversation.conversationId, 'hello');
 * ```
 */
export class ChatClient {
  private readonly emitter: TypedEmitter<ChatClientEvents>;
  private readonly pending = new PendingRequests();
  private readonly outbox: Outbox;
  private readonly conversations = new Map<string, ConversationState>();
  private readonly summaries = new Map<string, ConversationSummary>();
  /** Syncs in flight per conversation, so a burst of out-of-order messages triggers one sync, not many. */
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly socketFactory: SocketFactory;
  private readonly codec: WireCodec;
  private readonly reconnectOptions: ReconnectOptions | false;
  private readonly random: () => number;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly newConversations: 'full' | 'latest';
  private readonly retainMessages: boolean;
  private readonly maxSendAttempts: number;
  private readonly pingIntervalMs: number;
  private readonly sessionWaitMs: number;
  /** Announcements seen (pushed or on connect), by id: the event fires once per announcement. */
  private readonly announcementsSeen = new Map<string, Announcement>();
  /** Conversations this user was removed from: never synced again (the server would answer not_member). */
  private readonly left = new Set<string>();
  private pingTimer: ReturnType<typeof setInterval> | undefined;

  private url = '';
  private tokenSource: TokenSource = '';
  private currentUserId: string | undefined;
  private socket: ChatSocket | undefined;
  private socketOpen = false;
  /** The `session` frame of the current socket: it is registered for pushes once this is set. */
  private sessionValue: ServerFrameOf<'session'> | undefined;
  /** Settled when the current socket's `session` frame arrives (or the socket goes). */
  private sessionArrived = new Deferred<void>();
  /** Incremented per socket; events of an older socket are ignored. */
  private session = 0;
  private stateValue: ConnectionState = 'idle';
  private failedAttempts = 0;
  private expiredInARow = 0;
  private everReady = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectWaiter: Deferred<void> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private requestCounter = 0;
  private readonly statsValue: ChatClientStats = { framesReceived: 0, duplicatesDropped: 0, gapFills: 0, reconnects: 0, resends: 0 };

  constructor(options: ChatClientOptions = {}) {
    this.socketFactory = options.socketFactory ?? defaultSocketFactory();
    this.codec = wireCodec(options.codec ?? 'json');
    this.currentUserId = options.userId;
    this.reconnectOptions = options.reconnect === false ? false : { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.random = options.random ?? Math.random;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.newConversations = options.newConversations ?? 'full';
    this.retainMessages = options.retainMessages ?? true;
    this.maxSendAttempts = Math.max(1, options.maxSendAttempts ?? 5);
    this.pingIntervalMs = options.pingIntervalMs ?? 0;
    this.sessionWaitMs = Math.max(0, options.sessionWaitMs ?? 5_000);
    this.outbox = new Outbox(options.storedTimeoutMs ?? 60_000);
    this.emitter = new TypedEmitter<ChatClientEvents>((error, event) => {
      // An error listener that throws must not loop back into itself.
      if (event !== 'error') this.emitter.emit('error', toError(error));
    });
  }

  // ---- connection -------------------------------------------------------------------------------

  get state(): ConnectionState {
    return this.stateValue;
  }

  /**
   * What the server said about the current socket (its id, session, heartbeat, limits, contacts
   * online when it opened), once it is registered for pushes; undefined before that and after a
   * disconnect.
   */
  get currentSession(): ServerFrameOf<'session'> | undefined {
    return this.sessionValue;
  }

  /** This user's id (from options or the access token's `sub`), once known. */
  get userId(): string | undefined {
    return this.currentUserId;
  }

  get stats(): Readonly<ChatClientStats> {
    return { ...this.statsValue };
  }

  /**
   * Connects and catches up (list_conversations, then sync of every conversation that has news).
   * Resolves when caught up; rejects when the server refuses for good (4001 unauthorized, …), on
   * close(), or after `connectTimeoutMs`. Transient failures are retried with backoff meanwhile.
   * Local state survives close(): connecting again catches up from where this client left off.
   */
  connect(url: string, token: TokenSource): Promise<void> {
    if (this.stateValue !== 'idle' && this.stateValue !== 'closed') {
      return Promise.reject(new Error(`connect: the client is ${this.stateValue}; close() it first`));
    }
    this.url = url;
    this.tokenSource = token;
    this.failedAttempts = 0;
    this.expiredInARow = 0;
    this.everReady = false;
    const waiter = new Deferred<void>();
    this.connectWaiter = waiter;
    if (this.connectTimeoutMs > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = undefined;
        if (!waiter.isSettled) this.shutdown(new ConnectionClosedError(`not connected within ${this.connectTimeoutMs} ms (${this.stateValue})`), { closeSocket: true });
      }, this.connectTimeoutMs);
    }
    void this.openSocket('connect');
    return waiter.promise;
  }

  /** Ends the session for good (close 1000). Pending requests and unstored sends are rejected; local state is kept. */
  close(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'idle') return;
    this.shutdown(new ConnectionClosedError('closed by the client'), { closeSocket: true, explicit: true });
  }

  /**
   * Drops the current connection (if any) and connects again now, skipping the backoff wait; the new
   * socket catches up and resends what was not yet stored, as after any reconnect. For apps that know
   * the network changed before the socket does (a browser's `online` and `offline` events: a socket
   * over a network that went away may look open until a ping times out). Does nothing before
   * connect() or after the session ended (`idle`, `closed`).
   */
  reconnect(): void {
    if (this.stateValue === 'idle' || this.stateValue === 'closed') return;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.socket) this.dropSocket(1000, 'reconnecting');
    this.failedAttempts = 0;
    this.statsValue.reconnects++;
    this.setState('reconnecting', { attempt: 0, delayMs: 0 });
    void this.openSocket('connect');
  }

  on<K extends keyof ChatClientEvents>(event: K, listener: Listener<ChatClientEvents[K]>): () => void {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof ChatClientEvents>(event: K, listener: Listener<ChatClientEvents[K]>): void {
    this.emitter.off(event, listener);
  }

  private async openSocket(reason: TokenReason): Promise<void> {
    const session = ++this.session;
    this.setState('connecting');
    let token: string;
    try {
      token = typeof this.tokenSource === 'string' ? this.tokenSource : await this.tokenSource(reason);
    } catch (error) {
      if (session !== this.session || this.isStopped()) return;
      this.emitError(new Error(`token provider failed: ${toError(error).message}`));
      this.scheduleReconnect();
      return;
    }
    if (session !== this.session || this.isStopped()) return;
    this.currentUserId ??= userIdFromToken(token);
    try {
      this.socket = this.socketFactory(
        { url: this.url, token, subprotocol: this.codec.subprotocol },
        {
          onOpen: () => this.onOpen(session),
          onMessage: (data) => {
            if (session === this.session) this.onData(data);
          },
          onError: (error) => {
            if (session === this.session) this.emitError(error);
          },
          onClose: (code, closeReason) => this.onClose(session, code, closeReason),
        },
      );
    } catch (error) {
      // A socket that cannot even be created (malformed URL) will not work on a retry either.
      this.shutdown(toError(error), { closeSocket: false });
    }
  }

  private onOpen(session: number): void {
    if (session !== this.session) return;
    this.socketOpen = true;
    this.setState('syncing');
    this.startPinging(session);
    this.flushOutbox();
    const reconnected = this.everReady;
    this.registeredForPushes()
      .then(() => {
        // The socket may have gone while we waited; its successor catches up on its own.
        if (session !== this.session) throw new ConnectionClosedError('connection closed before catching up');
        return this.catchUp();
      })
      .then(
        (conversations) => {
          if (session !== this.session) return;
          this.failedAttempts = 0;
          this.expiredInARow = 0;
          this.everReady = true;
          this.setState('ready');
          this.emitter.emit('synced', { conversations, reconnected });
          this.settleConnect();
        },
        (error: unknown) => {
          if (session !== this.session || error instanceof ConnectionClosedError) return;
          this.emitError(new Error(`catching up after connect failed: ${toError(error).message}`));
          // A session that cannot catch up is no use: drop it and try again with backoff.
          this.dropSocket(1000, 'catch-up failed, reconnecting');
          this.scheduleReconnect();
        },
      );
  }

  private onClose(session: number, code: number, reason: string): void {
    if (session !== this.session) return;
    this.detachSocket(new ConnectionClosedError('connection closed', code, reason));
    const name = closeCodeName(code);
    const policy = name ? CloseCodes[name].reconnect : 'yes';
    if (policy === 'no' || this.reconnectOptions === false) {
      const message = policy === 'no' ? 'the server ended the session' : 'connection lost';
      this.shutdown(new ConnectionClosedError(message, code, reason), { closeSocket: false, closeCode: code, closeReason: reason });
    } else if (policy === 'after_reauth') {
      // A fresh token that is refused as expired again will not get better by retrying.
      if (++this.expiredInARow > 1) {
        this.shutdown(new ConnectionClosedError('the refreshed token was refused as expired', code, reason), { closeSocket: false, closeCode: code, closeReason: reason });
        return;
      }
      this.setState('reconnecting', { closeCode: code, closeReason: reason, attempt: this.failedAttempts, delayMs: 0 });
      void this.openSocket('expired');
    } else {
      this.scheduleReconnect(code, reason);
    }
  }

  private scheduleReconnect(closeCode?: number, closeReason?: string): void {
    if (this.reconnectOptions === false) {
      this.shutdown(new ConnectionClosedError('connection lost', closeCode, closeReason), { closeSocket: false, closeCode, closeReason });
      return;
    }
    // A full server (1013) and a gateway shedding slow readers to save memory (4005) want clients back later, not at once.
    const busy = closeCode === CloseCodes.try_again_later.code || closeCode === CloseCodes.slow_consumer.code;
    const delayMs = reconnectDelay(this.failedAttempts, this.reconnectOptions, this.random, busy);
    this.failedAttempts++;
    this.statsValue.reconnects++;
    this.setState('reconnecting', { closeCode, closeReason, attempt: this.failedAttempts, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.openSocket('connect');
    }, delayMs);
  }

  /** Closes the current socket from our side and forgets it (its own close event is ignored). */
  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.session++;
    this.detachSocket(new ConnectionClosedError(reason, code, reason));
    try {
      socket?.close(code, reason);
    } catch {
      // Already closing; nothing else to release.
    }
  }

  private detachSocket(error: ConnectionClosedError): void {
    this.sessionValue = undefined;
    this.sessionArrived.resolve();
    this.sessionArrived = new Deferred<void>();
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    this.socket = undefined;
    this.socketOpen = false;
    this.outbox.forgetInFlight();
    this.syncing.clear();
    this.pending.rejectAll(error);
  }

  private shutdown(error: Error, { closeSocket, explicit = false, closeCode, closeReason }: ShutdownOptions): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.reconnectTimer = undefined;
    this.connectTimer = undefined;
    if (closeSocket && this.socket) {
      this.dropSocket(1000, explicit ? 'client closed' : error.message.slice(0, 100));
    } else {
      this.session++;
      this.detachSocket(error instanceof ConnectionClosedError ? error : new ConnectionClosedError(error.message));
    }
    this.outbox.failAll(error);
    this.connectWaiter?.reject(error);
    this.connectWaiter = undefined;
    this.setState('closed', { closeCode, closeReason, ...(explicit ? {} : { error }) });
  }

  /**
   * Application-level pings, for transports that cannot see WebSocket pings (browsers): a pong that
   * does not come within the request timeout means a dead connection, which is dropped and replaced.
   */
  private startPinging(session: number): void {
    if (this.pingIntervalMs <= 0) return;
    this.pingTimer = setInterval(() => {
      this.ping().catch((error: unknown) => {
        if (session !== this.session || !(error instanceof RequestTimeoutError)) return;
        this.emitError(new Error(`no pong within ${this.requestTimeoutMs} ms: reconnecting`));
        this.dropSocket(CloseCodes.heartbeat_timeout.code, 'no pong');
        this.scheduleReconnect(CloseCodes.heartbeat_timeout.code, 'no pong');
      });
    }, this.pingIntervalMs);
  }

  private settleConnect(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.connectWaiter?.resolve();
    this.connectWaiter = undefined;
  }

  private isStopped(): boolean {
    return this.stateValue === 'closed';
  }

  private setState(state: ConnectionState, details: Omit<ConnectionStateChange, 'state' | 'previous'> = {}): void {
    const previous = this.stateValue;
    this.stateValue = state;
    if (previous === state && state !== 'reconnecting') return;
    this.emitter.emit('state', { state, previous, ...details });
  }

  private emitError(error: Error): void {
    this.emitter.emit('error', error);
  }

  // ---- catching up ------------------------------------------------------------------------------

  /**
   * Resolves once the socket's `session` frame has come (pushes reach it from then on), or after
   * `sessionWaitMs` without it, or when the socket goes (the catch-up then fails and reconnects).
   */
  private registeredForPushes(): Promise<void> {
    if (this.sessionValue !== undefined || this.sessionWaitMs === 0) return Promise.resolve();
    const arrived = this.sessionArrived;
    const timer = setTimeout(() => arrived.resolve(), this.sessionWaitMs);
    return arrived.promise.finally(() => clearTimeout(timer));
  }

  /** After every (re)connect: learn the conversations, then sync each one that has news. */
  private async catchUp(): Promise<number> {
    const listed = await this.listConversations();
    // Only listed conversations: naming one we were removed from would fail the whole sync.
    const behind = listed.map((item) => item.conversationId).filter((id) => this.stateOf(id).behind);
    await this.syncUntilCurrent(behind);
    return listed.length;
  }

  /** Starts a sync of one conversation if it is behind and none is running for it. */
  private scheduleSync(conversationId: string): void {
    if (!this.socketOpen || this.syncing.has(conversationId) || this.left.has(conversationId)) return;
    if (!this.conversations.get(conversationId)?.behind) return;
    this.statsValue.gapFills++;
    this.syncUntilCurrent([conversationId]).catch((error: unknown) => {
      if (error instanceof ChatRequestError && error.code === 'not_member') this.left.add(conversationId);
      if (!(error instanceof ConnectionClosedError)) this.emitError(toError(error));
    });
  }

  /**
   * Resolves when each conversation has delivered up to what the server reported, joining a sync
   * already running for a conversation instead of starting a second one.
   */
  private syncUntilCurrent(conversationIds: string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    const fresh: string[] = [];
    for (const id of new Set(conversationIds)) {
      const running = this.syncing.get(id);
      if (running) waits.push(running);
      else fresh.push(id);
    }
    if (fresh.length > 0) {
      const work = this.runSync(fresh);
      for (const id of fresh) this.syncing.set(id, work);
      waits.push(work);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * The server caps what one sync sends (in messages and bytes, across all its conversations, in
   * the order named), so this repeats from the new lastSeqs while any conversation makes progress:
   * a conversation late in the list may get nothing in a round and still be served in the next.
   */
  private async runSync(ids: string[]): Promise<void> {
    const session = this.session;
    try {
      let remaining = ids;
      let roundsWithoutProgress = 0;
      while (remaining.length > 0) {
        const before = new Map(remaining.map((id) => [id, this.stateOf(id).lastSeq] as const));
        for (const part of chunk(remaining, MAX_SYNC_CONVERSATIONS)) {
          await this.sync(part.map((id) => ({ conversationId: id, afterSeq: this.stateOf(id).lastSeq })));
        }
        remaining = remaining.filter((id) => this.stateOf(id).behind);
        const progressed = remaining.some((id) => this.stateOf(id).lastSeq > (before.get(id) ?? 0)) || remaining.length < before.size;
        roundsWithoutProgress = progressed ? 0 : roundsWithoutProgress + 1;
        if (remaining.length > 0 && roundsWithoutProgress > MAX_SYNC_ROUNDS_WITHOUT_PROGRESS) {
          const example = remaining.map((id) => `${id} (lastSeq ${this.stateOf(id).lastSeq}, server ${this.stateOf(id).knownLastSeq})`)[0];
          this.emitError(new Error(`sync made no progress for ${remaining.length} conversation(s), e.g. ${example}`));
          remaining = [];
        }
      }
    } finally {
      if (session === this.session) for (const id of ids) this.syncing.delete(id);
    }
    // Messages may have arrived ahead of a gap while this sync ran; they need one of their own.
    for (const id of ids) if (this.stateOf(id).bufferedCount > 0) this.scheduleSync(id);
  }

  // ---- incoming frames --------------------------------------------------------------------------

  private onData(data: string | Uint8Array): void {
    let frame: ServerFrame;
    try {
      frame = this.codec.decodeServer(data, MAX_SERVER_FRAME_BYTES);
    } catch (error) {
      // A frame type from a newer server is skipped; anything else malformed is worth reporting.
      if (!(error instanceof ProtocolError && error.code === 'unknown_type')) this.emitError(toError(error));
      return;
    }
    this.statsValue.framesReceived++;
    this.emitter.emit('frame', frame);
    // Messages first: a pushed frame completing a request must find the state already updated.
    if (frame.type === 'message') this.onMessage(stripFrame(frame));
    this.onStateFrame(frame);
    const answered = this.pending.settle(frame);
    this.onEventFrame(frame, answered);
  }

  /** Frames that change local state, answers included. */
  private onStateFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'session':
        this.sessionValue = frame;
        this.sessionArrived.resolve();
        break;
      case 'conversation':
        this.learnConversation(stripFrame(frame));
        break;
      case 'conversations':
        for (const item of frame.items) this.learnConversation(item);
        break;
      case 'synced':
        for (const item of frame.conversations) this.conversations.get(item.conversationId)?.noteServerSeq(item.lastSeq);
        break;
      case 'member_added':
        if (this.currentUserId !== undefined && frame.userIds.includes(this.currentUserId)) {
          this.left.delete(frame.conversationId);
          this.ensureConversation(frame.conversationId);
        }
        this.applyGroupChange(frame);
        break;
      case 'member_removed':
        if (frame.userId === this.currentUserId) this.left.add(frame.conversationId);
        this.applyGroupChange(frame);
        break;
      case 'group_updated':
        this.applyGroupChange(frame);
        break;
      default:
        break;
    }
  }

  /** Frames the app hears about as events. */
  private onEventFrame(frame: ServerFrame, answered: boolean): void {
    switch (frame.type) {
      case 'session':
        this.emitter.emit('session', frame);
        break;
      case 'receipt':
        this.emitter.emit('receipt', frame);
        break;
      case 'typing':
        this.emitter.emit('typing', frame);
        break;
      case 'presence':
        this.emitter.emit('presence', frame);
        break;
      case 'member_added':
        this.emitter.emit('memberAdded', frame);
        break;
      case 'member_removed':
        this.emitter.emit('memberRemoved', frame);
        break;
      case 'group_updated':
        this.emitter.emit('groupUpdated', frame);
        break;
      case 'conversation':
        if (frame.replyTo === undefined) this.emitter.emit('conversation', stripFrame(frame));
        break;
      case 'announcement':
        this.onAnnouncement(stripFrame(frame));
        break;
      case 'error': {
        if (answered) break;
        // An error after `accepted` (persistence refused the send, e.g. not_member) fails that send.
        const entry = frame.replyTo === undefined ? undefined : this.outbox.forRequest(frame.replyTo);
        const error = new ChatRequestError(frame.code, frame.message, entry ? 'send' : 'request', frame.replyTo);
        if (entry) this.outbox.fail(entry, error);
        this.emitError(error);
        break;
      }
      default:
        break;
    }
  }

  /** The same announcement arrives live, again on every connect, and as the answer to its sender: told once. */
  private onAnnouncement(announcement: Announcement): void {
    const now = Date.now();
    for (const [id, seen] of this.announcementsSeen) if (seen.expiresAt <= now) this.announcementsSeen.delete(id);
    if (this.announcementsSeen.has(announcement.announcementId) || announcement.expiresAt <= now) return;
    this.announcementsSeen.set(announcement.announcementId, announcement);
    this.emitter.emit('announcement', announcement);
  }

  private onMessage(message: ChatMessage): void {
    const entry = this.outbox.get(message.conversationId, message.clientMsgId);
    if (entry && (this.currentUserId === undefined || message.senderId === this.currentUserId)) this.outbox.markStored(entry, message);
    const state = this.ensureConversation(message.conversationId, message.seq);
    const result = state.accept(message);
    if (result.duplicate) this.statsValue.duplicatesDropped++;
    for (const delivered of result.delivered) this.emitter.emit('message', delivered);
    if (state.bufferedCount > 0) this.scheduleSync(message.conversationId);
  }

  private learnConversation(summary: ConversationSummary): void {
    this.summaries.set(summary.conversationId, summary);
    if (this.currentUserId === undefined || summary.memberIds.includes(this.currentUserId)) this.left.delete(summary.conversationId);
    else this.left.add(summary.conversationId);
    const state = this.ensureConversation(summary.conversationId, undefined, summary.lastSeq);
    state.noteServerSeq(summary.lastSeq);
  }

  /** Keeps a known group's members, title and roles current (conversation(id).summary). */
  private applyGroupChange(frame: GroupChangeFrame): void {
    const summary = this.summaries.get(frame.conversationId);
    if (summary) this.summaries.set(frame.conversationId, applyGroupChange(summary, frame));
  }

  /**
   * The state of a conversation, created on first sight. A `latest` client starts a conversation it
   * first hears of at that point (just before the first message seen, or at the listed lastSeq).
   */
  private ensureConversation(conversationId: string, firstMessageSeq?: number, listedLastSeq?: number): ConversationState {
    let state = this.conversations.get(conversationId);
    if (!state) {
      let start = 0;
      if (this.newConversations === 'latest') start = listedLastSeq ?? (firstMessageSeq !== undefined ? firstMessageSeq - 1 : 0);
      state = new ConversationState(conversationId, this.retainMessages, start);
      this.conversations.set(conversationId, state);
    }
    return state;
  }

  private stateOf(conversationId: string): ConversationState {
    return this.ensureConversation(conversationId);
  }

  // ---- requests ---------------------------------------------------------------------------------

  private nextRequestId(): string {
    return `r${++this.requestCounter}`;
  }

  /** Writes one request and waits for its answer (or error, or timeout, or the connection's end). */
  private request<A extends ServerFrameType>(frame: RequestFrame, answers: readonly A[]): Promise<ServerFrameOf<A>> {
    return this.startRequest(frame, answers).answer;
  }

  private startRequest<A extends ServerFrameType>(frame: RequestFrame, answers: readonly A[]): { id: string | undefined; answer: Promise<ServerFrameOf<A>> } {
    const socket = this.socket;
    if (!socket || !this.socketOpen) return { id: undefined, answer: Promise.reject(new ConnectionClosedError(`${frame.type}: not connected (${this.stateValue})`)) };
    const id = this.nextRequestId();
    let encoded: string | Uint8Array;
    try {
      encoded = this.codec.encodeClient({ ...frame, id } as ClientFrameInput);
    } catch (error) {
      return { id, answer: Promise.reject(toError(error)) };
    }
    const answer = this.pending.add({ id, type: frame.type, answers, timeoutMs: this.requestTimeoutMs });
    try {
      socket.send(encoded);
    } catch (error) {
      this.pending.fail(id, new ConnectionClosedError(`${frame.type}: could not write: ${toError(error).message}`));
    }
    return { id, answer };
  }

  /** Writes a request that is answered only when it fails; the failure comes as an `error` event. Returns its id. */
  private notify(frame: RequestFrame): string {
    const socket = this.socket;
    if (!socket || !this.socketOpen) throw new ConnectionClosedError(`${frame.type}: not connected (${this.stateValue})`);
    const id = this.nextRequestId();
    socket.send(this.codec.encodeClient({ ...frame, id } as ClientFrameInput));
    return id;
  }

  // ---- sending ----------------------------------------------------------------------------------

  /**
   * Sends a message; resolves once the server accepted it (durable, not yet stored: no seq unless
   * this was a resend of a stored one). While disconnected it waits in the outbox and goes out on the
   * next connection; a send cut off by a disconnect goes out again with the same clientMsgId.
   * Errors after which a resend is safe (unavailable, rate_limited, internal, timeout) are retried
   * with backoff up to `maxSendAttempts`. Rejects with ChatRequestError, RequestTimeoutError or
   * ConnectionClosedError. Persistence checks membership after `accepted`: a refusal then (e.g.
   * `not_member`), or `not_stored` when persistence could not store it and gave up, rejects
   * sendAndWaitStored, takes the send out of the outbox (it is not resent) and is reported as an
   * `error` event.
   */
  send(conversationId: string, body: string, options: SendOptions = {}): Promise<SendResult> {
    try {
      return this.enqueue(conversationId, body, options).acceptance.promise;
    } catch (error) {
      return Promise.reject(toError(error));
    }
  }

  /** Sends and resolves with the stored message (with its seq) once it comes back. */
  async sendAndWaitStored(conversationId: string, body: string, options: SendOptions = {}): Promise<ChatMessage> {
    const entry = this.enqueue(conversationId, body, options);
    await entry.acceptance.promise;
    return entry.stored.promise;
  }

  /** The stored message of an earlier send of this client that is still on its way. */
  waitForStored(conversationId: string, clientMsgId: string): Promise<ChatMessage> {
    const entry = this.outbox.get(conversationId, clientMsgId);
    if (!entry) return Promise.reject(new Error(`no send of ${clientMsgId} in ${conversationId} is pending`));
    return entry.stored.promise;
  }

  private enqueue(conversationId: string, body: string, options: SendOptions): OutboxEntry {
    if (this.stateValue === 'idle' || this.stateValue === 'closed') throw new ConnectionClosedError(`send: not connected (${this.stateValue})`);
    const clientMsgId = options.clientMsgId ?? globalThis.crypto.randomUUID();
    // Validate now, so a bad body fails the call instead of the connection later.
    encodeClientFrame({ type: 'send', id: 'validate', conversationId, clientMsgId, body });
    const entry = this.outbox.add(conversationId, clientMsgId, body, 'text');
    if (this.socketOpen && entry.inFlight === undefined && !entry.accepted) this.transmit(entry);
    return entry;
  }

  /** After (re)connecting: every send not yet stored goes (again) on the wire, in order. */
  private flushOutbox(): void {
    for (const entry of this.outbox.toTransmit()) {
      if (entry.transmissions > 0) this.statsValue.resends++;
      this.transmit(entry);
    }
  }

  private transmit(entry: OutboxEntry): void {
    const { id, answer } = this.startRequest(
      { type: 'send', conversationId: entry.conversationId, clientMsgId: entry.clientMsgId, body: entry.body, kind: entry.kind },
      ['accepted'],
    );
    if (id === undefined) {
      // Not connected: it goes out with the outbox after the next connect.
      answer.catch(() => undefined);
      return;
    }
    this.outbox.sent(entry, id);
    answer.then(
      (accepted) => {
        if (entry.inFlight !== id) return;
        this.outbox.markAccepted(entry, { conversationId: accepted.conversationId, clientMsgId: accepted.clientMsgId, seq: accepted.seq });
        if (accepted.seq !== undefined) this.onAcceptedWithSeq(entry, accepted.seq);
      },
      (error: unknown) => {
        // Cut off by a disconnect: the entry stays and goes out again after the reconnect.
        if (entry.inFlight !== id) return;
        entry.inFlight = undefined;
        if (error instanceof ConnectionClosedError && !this.isStopped()) return;
        // Already accepted (this was a resend): the stored message may still come; let it expire otherwise.
        if (entry.accepted) return;
        if (isRetryableSendError(error) && entry.transmissions < this.maxSendAttempts) {
          this.retrySend(entry, error instanceof ChatRequestError && error.code === 'rate_limited');
          return;
        }
        this.outbox.fail(entry, toError(error));
      },
    );
  }

  /** Sends the same clientMsgId again after a backoff; the server deduplicates. */
  private retrySend(entry: OutboxEntry, rateLimited: boolean): void {
    const delayMs = reconnectDelay(entry.transmissions - 1, SEND_RETRY_BACKOFF, this.random, rateLimited);
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      // A reconnect in the meantime may already have resent it.
      if (this.socketOpen && entry.inFlight === undefined && this.outbox.get(entry.conversationId, entry.clientMsgId) === entry) {
        this.statsValue.resends++;
        this.transmit(entry);
      }
    }, delayMs);
  }

  /** A resend of a message stored before: the seq is known, the `message` frame may never come again. */
  private onAcceptedWithSeq(entry: OutboxEntry, seq: number): void {
    const state = this.stateOf(entry.conversationId);
    const known = state.message(seq);
    if (known?.clientMsgId === entry.clientMsgId) {
      this.outbox.markStored(entry, known);
      return;
    }
    state.noteServerSeq(seq);
    if (seq > state.lastSeq) {
      this.scheduleSync(entry.conversationId);
      return;
    }
    this.history(entry.conversationId, { beforeSeq: seq + 1, limit: 1 }).then(
      (page) => {
        const stored = page.messages.find((message) => message.seq === seq);
        if (stored) this.outbox.markStored(entry, stored);
      },
      (error: unknown) => this.emitError(toError(error)),
    );
  }

  // ---- other requests ---------------------------------------------------------------------------

  /** The direct conversation with `userId`, created if needed. */
  async openDirect(userId: string): Promise<ConversationSummary> {
    return stripFrame(await this.request({ type: 'open_direct', userId }, ['conversation']));
  }

  /**
   * A new group of this user and `memberIds`. `clientGroupId` (default: a fresh one) is the create's
   * idempotency key: call again with the same one after a failure and no second group is made.
   */
  async createGroup(title: string, memberIds: string[], options: { clientGroupId?: string } = {}): Promise<ConversationSummary> {
    const clientGroupId = options.clientGroupId ?? globalThis.crypto.randomUUID();
    return stripFrame(await this.request({ type: 'create_group', title, memberIds, clientGroupId }, ['conversation']));
  }

  /** Adds users to a group; resolves with the group after the change. */
  async addMembers(conversationId: string, userIds: string[]): Promise<ConversationSummary> {
    return stripFrame(await this.request({ type: 'add_members', conversationId, userIds }, ['conversation']));
  }

  /** Removes a user from a group (this user = leave); resolves with the group after the change. */
  async removeMember(conversationId: string, userId: string): Promise<ConversationSummary> {
    return stripFrame(await this.request({ type: 'remove_member', conversationId, userId }, ['conversation']));
  }

  /** Renames a group (owner and admins); resolves with the group after the change. Every member gets `groupUpdated`. */
  async renameGroup(conversationId: string, title: string): Promise<ConversationSummary> {
    return stripFrame(await this.request({ type: 'rename_group', conversationId, title }, ['conversation']));
  }

  /** Makes a member an admin or a plain member again (the owner only); resolves with the group after the change. */
  async setMemberRole(conversationId: string, userId: string, role: AssignableRole): Promise<ConversationSummary> {
    return stripFrame(await this.request({ type: 'set_member_role', conversationId, userId, role }, ['conversation']));
  }

  /** Hands the group over to another member (the owner only), who becomes its owner; this user stays as an admin. */
  async transferOwnership(conversationId: string, userId: string): Promise<ConversationSummary> {
    return stripFrame(await this.request({ type: 'transfer_ownership', conversationId, userId }, ['conversation']));
  }

  /**
   * Administrators only: an announcement to every user, pushed to every online socket and to users
   * who connect before it expires. Resolves with it once stored; rejects with `forbidden` for anyone
   * else and `quota_exceeded` beyond the server's hourly limit. `clientAnnouncementId` (default: a
   * fresh one) makes a retry after a failure safe: the same key never announces twice.
   */
  async announce(body: string, options: AnnounceOptions = {}): Promise<Announcement> {
    const clientAnnouncementId = options.clientAnnouncementId ?? globalThis.crypto.randomUUID();
    const expiry = options.expiresInSeconds === undefined ? {} : { expiresInSeconds: options.expiresInSeconds };
    return stripFrame(await this.request({ type: 'announce', body, clientAnnouncementId, ...expiry }, ['announcement']));
  }

  /**
   * Every conversation of the user, most recently active first: follows the server's pages
   * (`pageSize`, default MAX_LISTED_CONVERSATIONS) until the last, at most MAX_LIST_PAGES of them. A
   * conversation that became active during the walk is listed once (where it was first seen).
   */
  async listConversations(options: { pageSize?: number } = {}): Promise<ConversationSummary[]> {
    const limit = options.pageSize ?? MAX_LISTED_CONVERSATIONS;
    const listed = new Map<string, ConversationSummary>();
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_LIST_PAGES; pages += 1) {
      const page = await this.listConversationsPage({ limit, ...(cursor === undefined ? {} : { cursor }) });
      for (const item of page.items) if (!listed.has(item.conversationId)) listed.set(item.conversationId, item);
      cursor = page.nextCursor;
      if (cursor === undefined) break;
    }
    return [...listed.values()];
  }

  /** One page of conversations (`limit`: 1..MAX_LISTED_CONVERSATIONS, server default 100), after `cursor` (a previous page's `nextCursor`). */
  async listConversationsPage(options: { limit?: number; cursor?: string } = {}): Promise<ConversationsPage> {
    const page = await this.request({ type: 'list_conversations', ...options }, ['conversations']);
    return { items: page.items, ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) };
  }

  /** One page of messages before `beforeSeq` (default: the newest), ascending. Does not touch live state. */
  async history(conversationId: string, options: { beforeSeq?: number; limit?: number } = {}): Promise<HistoryPage> {
    const page = await this.request({ type: 'history', conversationId, ...options }, ['history_page']);
    return { conversationId: page.conversationId, messages: page.messages, hasMore: page.hasMore };
  }

  /**
   * One sync request: the server sends the `message` frames after each cursor (delivered through the
   * `message` event, deduplicated), then `synced`. Without cursors: every known conversation from
   * its lastSeq. Resolves with the server's lastSeq per conversation.
   */
  async sync(cursors?: SyncCursor[]): Promise<SyncedConversation[]> {
    const conversations = cursors ?? [...this.conversations.values()].map((state) => ({ conversationId: state.conversationId, afterSeq: state.lastSeq }));
    if (conversations.length === 0) return [];
    return (await this.request({ type: 'sync', conversations }, ['synced'])).conversations;
  }

  /** Tells the others that every message up to `seq` reached this user. Returns the request id (errors come as `error` events). */
  markDelivered(conversationId: string, seq: number): string {
    return this.receipt(conversationId, seq, 'delivered');
  }

  /** Tells the others that this user read every message up to `seq`. */
  markRead(conversationId: string, seq: number): string {
    return this.receipt(conversationId, seq, 'read');
  }

  private receipt(conversationId: string, seq: number, status: ReceiptStatus): string {
    return this.notify({ type: 'receipt', conversationId, seq, status });
  }

  /** Typing indicator; while typing, repeat `true` every few seconds (receivers expire it). */
  typing(conversationId: string, active: boolean): string {
    return this.notify({ type: 'typing', conversationId, active });
  }

  /** Application-level round trip; resolves with its duration in ms. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.request({ type: 'ping' }, ['pong']);
    return Date.now() - started;
  }

  // ---- local state ------------------------------------------------------------------------------

  /** The announcements this client has seen that are still current at `now`, oldest first. */
  announcements(now = Date.now()): Announcement[] {
    return [...this.announcementsSeen.values()].filter((announcement) => announcement.expiresAt > now).sort((a, b) => a.sentAt - b.sentAt);
  }

  conversationIds(): string[] {
    return [...this.conversations.keys()];
  }

  conversation(conversationId: string): ConversationView {
    const state = this.conversations.get(conversationId);
    return {
      conversationId,
      lastSeq: state?.lastSeq ?? 0,
      knownLastSeq: state?.knownLastSeq ?? 0,
      messages: state?.messages() ?? [],
      summary: this.summaries.get(conversationId),
    };
  }
}

/** The runtime's own WebSocket (browsers, Deno, Node 22+); elsewhere the caller must pick one. */
function defaultSocketFactory(): SocketFactory {
  const WebSocketImpl = (globalThis as { WebSocket?: BrowserWebSocketConstructor }).WebSocket;
  if (WebSocketImpl === undefined) {
    throw new Error("this runtime has no global WebSocket: pass { socketFactory: nodeSocketFactory() } from '@chat/client-sdk/node'");
  }
  return browserSocketFactory(WebSocketImpl);
}
