import type { Announcement, ChatMessage, CodecName, ConversationSummary, ServerFrame, ServerFrameOf } from '@chat/wire';
import type { ReconnectOptions } from './backoff';
import type { SocketFactory } from './socket';

/**
 * - `idle`: never connected. `connecting`: getting a token and opening a socket.
 * - `syncing`: open, catching up (list_conversations + sync). `ready`: caught up, live.
 * - `reconnecting`: waiting out the backoff before the next attempt.
 * - `closed`: by `close()`, or for good (4001, 4003, 4004, 4008, 4009, 1000 from the server, reconnect disabled).
 */
export type ConnectionState = 'idle' | 'connecting' | 'syncing' | 'ready' | 'reconnecting' | 'closed';

export interface ConnectionStateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** The close code and reason of the socket that just ended (reconnecting, closed). */
  closeCode?: number;
  closeReason?: string;
  /** reconnecting: failed attempts so far (1 = first retry) and the delay before the next one. */
  attempt?: number;
  delayMs?: number;
  /** closed: why, unless it was an explicit close(). */
  error?: Error;
}

export interface ChatClientEvents {
  /** The socket is registered for pushes: nothing for this user after it can be missed (see `currentSession`). */
  session: ServerFrameOf<'session'>;
  /** A stored message, in seq order per conversation, each (conversationId, seq) exactly once. */
  message: ChatMessage;
  receipt: ServerFrameOf<'receipt'>;
  typing: ServerFrameOf<'typing'>;
  presence: ServerFrameOf<'presence'>;
  memberAdded: ServerFrameOf<'member_added'>;
  memberRemoved: ServerFrameOf<'member_removed'>;
  /** A group was renamed or its roles changed (conversation(id).summary is already updated). */
  groupUpdated: ServerFrameOf<'group_updated'>;
  /**
   * An administrator's announcement, once per announcementId: pushed live to every online socket,
   * and the current ones again after each (re)connect (see `announcements()`).
   */
  announcement: Announcement;
  /** A conversation changed (pushed `conversation` frame, not an answer to a request). */
  conversation: ConversationSummary;
  state: ConnectionStateChange;
  /** Caught up after a (re)connect: everything stored before it has been delivered. */
  synced: { conversations: number; reconnected: boolean };
  /** Errors no request is waiting for: unmatched `error` frames, undecodable frames, failed catch-up, listener errors. */
  error: Error;
  /** Every decoded server frame, before the client acts on it (diagnostics, tests). */
  frame: ServerFrame;
}

export interface ChatClientOptions {
  /**
   * How to open sockets; default: the runtime's global WebSocket (browsers). Node 20 has none: pass
   * nodeSocketFactory() from '@chat/client-sdk/node'.
   */
  socketFactory?: SocketFactory;
  /**
   * The wire format, offered as the WebSocket subprotocol: `json` (default; text frames) or
   * `protobuf` (binary frames of libs/wire/proto/chat/v1/frames.proto: smaller, cheaper to decode).
   */
  codec?: CodecName;
  /** This user's id, to recognise its own messages; default: the `sub` of the access token. */
  userId?: string;
  /** Deadline of a request's answer (default 15 s). */
  requestTimeoutMs?: number;
  /** How long an accepted send waits for its stored message (default 60 s). */
  storedTimeoutMs?: number;
  /** connect() rejects (and the client closes) if not caught up within this (default 30 s; 0 = no limit). */
  connectTimeoutMs?: number;
  /** Reconnect backoff (full jitter), or false to close on the first disconnect. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** Random source of the jitter (tests make it deterministic). */
  random?: () => number;
  /**
   * Conversations the client learns of after it started (another user opened them, list_conversations
   * on a new device): `full` fetches their messages from seq 1, `latest` only delivers new ones.
   */
  newConversations?: 'full' | 'latest';
  /** Keep delivered messages in memory, readable through conversation(id).messages (default true). */
  retainMessages?: boolean;
  /** Transmissions of one send before a retryable failure (unavailable, rate_limited, timeout) is final (default 5). */
  maxSendAttempts?: number;
  /**
   * After a (re)connect the client catches up once the server's `session` frame says the socket is
   * registered for pushes, so nothing stored after the catch-up can be missed. It waits at most this
   * long for that frame (the router sends it; while no router runs it does not come) and then catches
   * up anyway (default 5000 ms; 0 = catch up at once).
   */
  sessionWaitMs?: number;
  /**
   * Send an application-level `ping` this often and reconnect when its `pong` does not come within
   * `requestTimeoutMs` (default 0 = off). For browsers, which cannot see WebSocket pings; Node's `ws`
   * answers the gateway's pings by itself.
   */
  pingIntervalMs?: number;
}

export interface ChatClientStats {
  framesReceived: number;
  /** Messages dropped because their seq had been seen (live + sync overlap, resends). */
  duplicatesDropped: number;
  /** Syncs started because a message arrived ahead of a gap, or the server reported newer messages. */
  gapFills: number;
  /** Reconnect attempts scheduled. */
  reconnects: number;
  /** Sends put on the wire again after a reconnect. */
  resends: number;
}

export interface ConversationView {
  conversationId: string;
  /** Every message up to here was delivered, in order. */
  lastSeq: number;
  /** Newest seq the server has mentioned. */
  knownLastSeq: number;
  /** Delivered messages in seq order (if retained). */
  messages: readonly ChatMessage[];
  /** From list_conversations / conversation frames, when seen. */
  summary: ConversationSummary | undefined;
}

export interface HistoryPage {
  conversationId: string;
  /** Ascending seq. */
  messages: ChatMessage[];
  hasMore: boolean;
}

/** One page of `listConversationsPage`; `nextCursor` (absent on the last page) asks for the next. */
export interface ConversationsPage {
  items: ConversationSummary[];
  nextCursor?: string;
}

export interface AnnounceOptions {
  /** How long it stays current for users who connect later: 60 s to 30 days (default 1 day). */
  expiresInSeconds?: number;
  /** Idempotency key (A-Z, a-z, 0-9, _ and -); default a random UUID. Reuse it to retry safely. */
  clientAnnouncementId?: string;
}

export interface SendOptions {
  /** Idempotency key (A-Z, a-z, 0-9, _ and -); default a random UUID. Reuse it to resend safely. */
  clientMsgId?: string;
}
