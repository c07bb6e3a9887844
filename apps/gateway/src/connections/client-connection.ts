import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { UserRole } from '@chat/auth-tokens';
import { type CloseCodeName, type ServerFrame, type WireCodec } from '@chat/protocol';
import { countFrameOut, GatewayMetrics } from '../telemetry/gateway.metrics';
import { closeSocket } from './close-socket';
import type { OutboundBudget } from './outbound-budget';
import { TokenBucket } from './token-bucket';
import { turnWrites } from './turn-writes';

export interface ConnectionLimits {
  ratePerSecond: number;
  rateBurst: number;
  /** Unreadable frames in a row that end the session. */
  maxInvalidFrames: number;
  /** Bytes queued for the client beyond which it is dropped as a slow consumer. */
  maxBufferedBytes: number;
}

/** What a connection shares with others: its user's frame budget and the process' outbound budget. */
export interface SharedLimits {
  /** The rate limit of all the user's sockets on this gateway together (UserFrameLimits). */
  userBucket?: TokenBucket;
  outbound?: OutboundBudget<ClientConnection>;
}

/** Why a frame was over the rate limit: this socket's, or the user's over all their sockets. */
export type RateVerdict = 'ok' | 'connection' | 'user';

/** Who is on the other end, from the socket's verified access token. */
export interface ConnectionIdentity {
  userId: string;
  /** The login session the token belongs to (absent in tokens minted by tools): logout closes it. */
  sessionId: string | undefined;
  role: UserRole;
}

/** A JSON connection's buffers hold a frame's JSON and go out as text frames too; Protobuf's as binary ones. */
const TEXT_FRAME = { binary: false } as const;
const BINARY_FRAME = { binary: true } as const;

/** setTimeout's largest delay; a longer one would fire at once, so longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One authenticated WebSocket: who it is, its rate limit and invalid-frame streak, when it was last
 * heard from, and a send that protects the process from a client that does not read.
 */
export class ClientConnection {
  readonly id = randomUUID();
  readonly userId: string;
  readonly sessionId: string | undefined;
  readonly role: UserRole;
  private readonly bucket: TokenBucket;
  private invalidInRow = 0;
  private lastSeenAt: number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly closedPromise: Promise<void>;
  private wasCut = false;

  constructor(
    private readonly socket: WebSocket,
    identity: ConnectionIdentity,
    /** What this socket speaks, negotiated at the upgrade (Sec-WebSocket-Protocol). */
    readonly codec: WireCodec,
    private readonly limits: ConnectionLimits,
    now: number,
    /** The TCP socket under the WebSocket (the upgrade request's); its writes are gathered per turn. */
    private readonly transport?: Writable,
    private readonly shared: SharedLimits = {},
    /** The client's IP (GATEWAY_TRUSTED_PROXIES decides whether X-Forwarded-For names it). */
    readonly clientIp = 'unknown',
  ) {
    ({ userId: this.userId, sessionId: this.sessionId, role: this.role } = identity);
    this.bucket = new TokenBucket(limits.ratePerSecond, limits.rateBurst, now);
    this.lastSeenAt = now;
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        clearTimeout(this.expiryTimer);
        resolve();
      });
    });
  }

  /** Resolves once the socket is fully closed (handshake answered or cut). */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Any frame or pong from the client proves it is alive. */
  touch(now: number): void {
    this.lastSeenAt = now;
  }

  silentFor(now: number): number {
    return now - this.lastSeenAt;
  }

  /** Counts a frame against this socket's rate limit, then the user's; says which one it was over, if any. */
  takeRateToken(now: number): RateVerdict {
    if (!this.bucket.take(now)) return 'connection';
    if (this.shared.userBucket && !this.shared.userBucket.take(now)) return 'user';
    return 'ok';
  }

  /** Bytes queued for the client that the kernel has not taken yet (0 once cut: they were dropped). */
  get bufferedAmount(): number {
    return this.wasCut ? 0 : this.socket.bufferedAmount;
  }

  /** Counts an unreadable frame; true once the client sent too many of them in a row. */
  recordInvalidFrame(): boolean {
    this.invalidInRow += 1;
    return this.invalidInRow >= this.limits.maxInvalidFrames;
  }

  recordValidFrame(): void {
    this.invalidInRow = 0;
  }

  sendFrame(frame: ServerFrame): boolean {
    const sent = this.sendEncoded(this.codec.encodeServer(frame));
    if (sent) countFrameOut(frame);
    return sent;
  }

  /**
   * Queues a frame encoded in this connection's codec (the caller counts it in
   * chat_frames_out_total): JSON text or its UTF-8 bytes, or Protobuf bytes, which a fan-out shares
   * between all its sockets of that codec instead of encoding once per socket. A client whose unsent
   * backlog would exceed the limit is closed as a slow consumer instead: it reconnects and syncs,
   * and the process never buffers without bound.
   */
  sendEncoded(encoded: string | Uint8Array): boolean {
    if (!this.isOpen) return false;
    if (this.socket.bufferedAmount + encoded.length > this.limits.maxBufferedBytes) {
      GatewayMetrics.slowConsumersClosed.inc({ limit: 'socket' });
      this.close('slow_consumer', 'send buffer full; reconnect and sync');
      return false;
    }
    // The process' budget may close this very socket (or others) to stay within it.
    if (this.shared.outbound && !this.shared.outbound.charge(this, encoded.length)) return false;
    if (this.transport) turnWrites.hold(this.transport);
    this.socket.send(encoded, this.codec.binary ? BINARY_FRAME : TEXT_FRAME);
    return true;
  }

  ping(): void {
    if (this.isOpen) this.socket.ping();
  }

  /** Ends the session when its access token expires; the client reconnects with a fresh one. */
  closeWhenExpired(expiresAt: number, now: number): void {
    clearTimeout(this.expiryTimer);
    const delay = expiresAt - now;
    this.expiryTimer =
      delay > MAX_TIMER_MS
        ? setTimeout(() => this.closeWhenExpired(expiresAt, Date.now()), MAX_TIMER_MS)
        : setTimeout(() => this.close('token_expired', 'access token expired'), Math.max(0, delay));
    this.expiryTimer.unref();
  }

  /** Closed by the process' outbound budget (OutboundBudget) as a slow consumer. */
  shed(reason: string): void {
    this.close('slow_consumer', reason);
  }

  /** Destroys the TCP socket at once: its backlog is dropped, the client sees a cut connection (1006). */
  cut(): void {
    this.wasCut = true;
    clearTimeout(this.expiryTimer);
    this.socket.terminate();
  }

  close(name: CloseCodeName, reason: string): void {
    clearTimeout(this.expiryTimer);
    closeSocket(this.socket, name, reason);
  }
}
