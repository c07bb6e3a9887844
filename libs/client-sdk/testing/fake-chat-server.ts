// Test support for the specs of this lib: an in-memory chat server behind the SDK's socket seam.
// Outside src/, so no build ships it.
import {
  type ChatMessage,
  type ClientFrame,
  type ClientFrameOf,
  type ClientFrameType,
  codecOfSubprotocol,
  type ConversationSummary,
  MAX_CLIENT_FRAME_BYTES,
  type ServerFrame,
  type WireCodec,
} from '@chat/wire';
import type { ChatSocket, SocketFactory, SocketListeners, SocketRequest } from '../src/lib/socket';

/** Lets everything already queued (promise callbacks, microtasks, immediates) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One in-memory socket: records what the client sends, lets the test push frames and close it. */
export class FakeSocket implements ChatSocket {
  readonly sent: ClientFrame[] = [];
  /** Whether each message the client sent was binary. */
  readonly sentBinary: boolean[] = [];
  status: 'connecting' | 'open' | 'closed' = 'connecting';
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(
    readonly request: SocketRequest,
    private readonly listeners: SocketListeners,
    private readonly onFrame: (frame: ClientFrame, socket: FakeSocket) => void,
    /** The `session` frame the server sends once the socket is open (as the real one does), if any. */
    private readonly greeting: () => ServerFrame | undefined = () => undefined,
  ) {}

  /** The codec the client asked for; the fake server accepts every codec there is. */
  get codec(): WireCodec {
    const codec = codecOfSubprotocol(this.request.subprotocol ?? '');
    if (!codec) throw new Error(`unsupported subprotocol ${this.request.subprotocol}`);
    return codec;
  }

  open(): void {
    this.status = 'open';
    this.listeners.onOpen();
    const session = this.greeting();
    if (session) this.push(session);
  }

  push(frame: ServerFrame): void {
    if (this.status !== 'open') throw new Error('push on a socket that is not open');
    this.listeners.onMessage(this.codec.encodeServer(frame));
  }

  pushRaw(data: string | Uint8Array): void {
    this.listeners.onMessage(data);
  }

  /** The server closes the connection (as a gateway would with a close code). */
  serverClose(code: number, reason = ''): void {
    if (this.status === 'closed') return;
    this.status = 'closed';
    this.listeners.onClose(code, reason);
  }

  send(data: string | Uint8Array): void {
    if (this.status !== 'open') throw new Error('send on a socket that is not open');
    const frame = this.codec.decodeClient(data, MAX_CLIENT_FRAME_BYTES);
    this.sentBinary.push(typeof data !== 'string');
    this.sent.push(frame);
    queueMicrotask(() => this.onFrame(frame, this));
  }

  close(code?: number, reason?: string): void {
    if (this.status === 'closed') return;
    this.status = 'closed';
    this.closedByClient = { code, reason };
    queueMicrotask(() => this.listeners.onClose(code ?? 1005, reason ?? ''));
  }

  sentOf<T extends ClientFrameType>(type: T): ClientFrameOf<T>[] {
    return this.sent.filter((frame): frame is ClientFrameOf<T> => frame.type === type);
  }
}

interface StoredConversation {
  summary: ConversationSummary;
  messages: ChatMessage[];
}

/**
 * A tiny chat server in memory, enough to drive ChatClient through real frames: it stores messages
 * with dense seqs and answers list_conversations, sync (capped like the real one), history,
 * open_direct and send. Tests decide what reaches the socket live, and when sockets open or close.
 */
export class FakeChatServer {
  readonly sockets: FakeSocket[] = [];
  private readonly conversations = new Map<string, StoredConversation>();
  /** Most messages one sync sends (the real server caps it too). */
  syncCap = 1000;
  /** When false, requests are recorded but not answered (to test timeouts and disconnects). */
  answering = true;
  /** When true, a stored send is pushed live to the sending socket as well. */
  echoStored = true;
  /** When true, every socket gets its `session` frame as soon as it opens (when false, tests push it). */
  sendsSessionFrames = true;
  /** Overrides the answer to one frame type; return true when handled. */
  readonly overrides = new Map<ClientFrameType, (frame: ClientFrame, socket: FakeSocket) => boolean>();
  private time = 1_700_000_000_000;
  private counter = 0;

  constructor(readonly userId: string) {}

  readonly factory: SocketFactory = (request, listeners) => {
    const socket = new FakeSocket(
      request,
      listeners,
      (frame, s) => this.answer(frame, s),
      () => (this.sendsSessionFrames ? this.sessionFrame() : undefined),
    );
    this.sockets.push(socket);
    return socket;
  };

  /** A `session` frame for a new socket of this server's user. */
  sessionFrame(): ServerFrame {
    return {
      type: 'session',
      userId: this.userId,
      connectionId: randomLikeId(++this.counter),
      heartbeatIntervalMs: 15_000,
      idleTimeoutMs: 30_000,
      limits: { maxFrameBytes: MAX_CLIENT_FRAME_BYTES, framesPerSecond: 20, frameBurst: 40, maxConnectionsPerUser: 20 },
      onlineContactIds: [],
    };
  }

  get latest(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  addConversation(conversationId: string, memberIds: string[] = [this.userId]): void {
    this.conversations.set(conversationId, {
      summary: { conversationId, kind: 'group', title: 'Test', memberIds, ownerId: memberIds[0], adminIds: [], lastSeq: 0, unread: 0 },
      messages: [],
    });
  }

  /** Stores a message (next seq) without telling any socket. */
  store(conversationId: string, body: string, senderId = randomLikeId(++this.counter), clientMsgId = `m${++this.counter}`): ChatMessage {
    const conversation = this.conversation(conversationId);
    const existing = conversation.messages.find((m) => m.senderId === senderId && m.clientMsgId === clientMsgId);
    if (existing) return existing;
    const message: ChatMessage = {
      conversationId,
      seq: conversation.messages.length + 1,
      messageId: randomLikeId(++this.counter),
      senderId,
      clientMsgId,
      body,
      kind: 'text',
      sentAt: this.time,
      storedAt: ++this.time,
    };
    conversation.messages.push(message);
    conversation.summary = { ...conversation.summary, lastSeq: message.seq };
    return message;
  }

  messages(conversationId: string): ChatMessage[] {
    return this.conversation(conversationId).messages;
  }

  private conversation(conversationId: string): StoredConversation {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new Error(`unknown conversation ${conversationId}`);
    return conversation;
  }

  private answer(frame: ClientFrame, socket: FakeSocket): void {
    if (!this.answering || socket.status !== 'open') return;
    if (this.overrides.get(frame.type)?.(frame, socket)) return;
    switch (frame.type) {
      case 'list_conversations':
        socket.push({ type: 'conversations', replyTo: frame.id, items: [...this.conversations.values()].map((c) => c.summary) });
        break;
      case 'sync': {
        let budget = this.syncCap;
        for (const cursor of frame.conversations) {
          for (const message of this.messages(cursor.conversationId).filter((m) => m.seq > cursor.afterSeq)) {
            if (budget-- <= 0) break;
            socket.push({ type: 'message', ...message });
          }
        }
        const conversations = frame.conversations.map((c) => ({ conversationId: c.conversationId, lastSeq: this.conversation(c.conversationId).summary.lastSeq }));
        socket.push({ type: 'synced', replyTo: frame.id, conversations });
        break;
      }
      case 'history': {
        const before = frame.beforeSeq ?? Number.MAX_SAFE_INTEGER;
        const older = this.messages(frame.conversationId).filter((m) => m.seq < before);
        const messages = older.slice(-frame.limit);
        socket.push({ type: 'history_page', replyTo: frame.id, conversationId: frame.conversationId, messages, hasMore: older.length > messages.length });
        break;
      }
      case 'send': {
        socket.push({ type: 'accepted', replyTo: frame.id, conversationId: frame.conversationId, clientMsgId: frame.clientMsgId });
        const stored = this.store(frame.conversationId, frame.body, this.userId, frame.clientMsgId);
        if (this.echoStored) socket.push({ type: 'message', ...stored });
        break;
      }
      case 'ping':
        socket.push({ type: 'pong', ...(frame.id === undefined ? {} : { replyTo: frame.id }) });
        break;
      default:
        break;
    }
  }
}

/** A syntactically valid UUID derived from a counter, so test output stays readable. */
export function randomLikeId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}
