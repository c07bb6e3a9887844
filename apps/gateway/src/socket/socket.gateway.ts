import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { accessTokenSettings, type AccessTokenSettings } from '@chat/auth-tokens';
import { CloseCodes, closeCodeName, type ClientFrame, type ClientFrameOf, type OpenedSession, type ProtocolError } from '@chat/protocol';
import { describeError, withTimeout } from '@chat/helpers';
import { GatewayConfig, trustedProxyList, userRateBurst, userRatePerSecond } from '../config';
import { ClientConnection, type ConnectionLimits } from '../connections/client-connection';
import { closeSocket } from '../connections/close-socket';
import { ConnectionRegistry } from '../connections/connection-registry';
import { OutboundBudget } from '../connections/outbound-budget';
import { TokenBucket } from '../connections/token-bucket';
import { AddressLimits } from '../limits/address-limits';
import { clientAddress } from '../limits/client-address';
import { UserFrameLimits } from '../limits/user-frame-limits';
import { HandleClientFrame } from '../frames/handle-client-frame.use-case';
import { LeasePublisher } from '../presence/lease.publisher';
import { DeliveryState } from '../connections/delivery-state';
import { PresencePublisher } from '../presence/presence.publisher';
import { RevokedSessions, type Revocation } from '../sessions/revoked-sessions';
import { GatewayMetrics } from '../telemetry/gateway.metrics';
import { codecOfSocket, UNREADABLE_FRAME } from './gateway-ws-adapter';
import { authenticate, isOriginAllowed, type Authentication } from './handshake';

/** Where clients connect, on the service's HTTP server (next to /healthz and /readyz). */
export const WEBSOCKET_PATH = '/ws';

/** Shutdown budget for the last presence and lease records, each; SHUTDOWN_TIMEOUT_MS bounds the whole. */
const SHUTDOWN_PUBLISH_TIMEOUT_MS = 5000;
/** How long shutdown waits for clients to answer the 1001 close before their sockets are cut. */
const SHUTDOWN_CLOSE_GRACE_MS = 2000;
/** A storm refuses thousands of handshakes a second; one warning per this interval says how many. */
const HANDSHAKE_WARNING_INTERVAL_MS = 10_000;

/**
 * The WebSocket edge, a Nest gateway on the service's HTTP server (GatewayWsAdapter): admits a socket
 * (origin, capacity, access token) right after the upgrade, registers it, hands each frame to
 * HandleClientFrame through the `@SubscribeMessage` handler of its type, pings it and drops it when
 * silent, and at shutdown closes every socket with 1001 and withdraws this gateway's presence and
 * lease (Nest then closes the server and cuts what did not answer).
 */
@WebSocketGateway({ path: WEBSOCKET_PATH })
export class SocketGateway implements OnGatewayConnection, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SocketGateway.name);
  private readonly tokenSettings: AccessTokenSettings;
  private readonly limits: ConnectionLimits;
  /**
   * New sockets admitted per second, across all clients: reconnect storms are shaped here. Spent
   * only by a socket that passed every other check, so junk (no token, a bad one, a wrong origin)
   * cannot use up the budget of real users.
   */
  private readonly handshakes: TokenBucket;
  /** Sockets and handshakes per client IP. */
  private readonly addresses: AddressLimits;
  private readonly trustedProxies: ReturnType<typeof trustedProxyList>;
  /** Frames per user over all their sockets here. */
  private readonly userFrames: UserFrameLimits;
  /** Bytes queued for all clients together. */
  private readonly outbound: OutboundBudget<ClientConnection>;
  private handshakesRefused = 0;
  private handshakeWarnedAt = Number.NEGATIVE_INFINITY;
  /** The admitted connection of each socket; a refused socket has none, and its frames are ignored. */
  private readonly connections = new WeakMap<WebSocket, ClientConnection>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private lastSweepAt = Date.now();
  private draining = false;

  constructor(
    private readonly config: GatewayConfig,
    private readonly registry: ConnectionRegistry,
    private readonly handleFrame: HandleClientFrame,
    private readonly presence: PresencePublisher,
    private readonly lease: LeasePublisher,
    private readonly deliveryState: DeliveryState,
    private readonly revokedSessions: RevokedSessions,
  ) {
    this.tokenSettings = accessTokenSettings(config);
    this.limits = {
      ratePerSecond: config.WS_RATE_PER_SECOND,
      rateBurst: config.WS_RATE_BURST,
      maxInvalidFrames: config.WS_MAX_INVALID_FRAMES,
      maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    };
    this.handshakes = new TokenBucket(config.WS_MAX_HANDSHAKES_PER_SECOND, config.WS_HANDSHAKE_BURST, Date.now());
    this.addresses = new AddressLimits({
      maxConnections: config.WS_MAX_CONNECTIONS_PER_IP,
      handshakesPerSecond: config.WS_MAX_HANDSHAKES_PER_IP_PER_SECOND,
      handshakeBurst: config.WS_HANDSHAKE_BURST_PER_IP,
    });
    this.trustedProxies = trustedProxyList(config.GATEWAY_TRUSTED_PROXIES);
    this.userFrames = new UserFrameLimits(userRatePerSecond(config), userRateBurst(config));
    this.outbound = new OutboundBudget(config.GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES, () => this.registry.all());
  }

  onModuleInit(): void {
    this.lastSweepAt = Date.now();
    this.sweepTimer = setInterval(() => this.sweep(Date.now()), this.config.WS_PING_INTERVAL_MS);
    this.sweepTimer.unref();
    // While the lease was lapsed the router routed messages past these sockets; reconnecting makes
    // every client sync what it missed (the SDK does so on every connect).
    this.revokedSessions.onRevoked((revocation) => this.closeSession(revocation));
    this.lease.onLapse((gapMs) => {
      const connections = this.closeAll('gateway lost contact with Kafka; reconnect to catch up');
      this.logger.warn({ msg: 'connections closed after a lease lapse', connections: connections.length, gapMs });
    });
  }

  /** Closes the sockets of a session auth has ended (logout, log out everywhere, a reused refresh token). */
  private closeSession(revocation: Revocation): void {
    const sockets = [...this.registry.connectionsOf(revocation.userId)].filter((connection) => connection.sessionId === revocation.sessionId);
    for (const connection of sockets) connection.close('session_revoked', `session ended (${revocation.reason}); log in again`);
    if (sockets.length > 0) this.logger.log({ msg: 'connections closed: session revoked', userId: revocation.userId, sessionId: revocation.sessionId, reason: revocation.reason, connections: sockets.length });
  }

  /** Closes every socket with 1001 (clients reconnect) and records the presence changes. */
  private closeAll(reason: string): ClientConnection[] {
    const at = Date.now();
    const connections = this.registry.all();
    for (const connection of connections) {
      connection.close('going_away', reason);
      const change = this.registry.remove(connection);
      if (change) this.presence.record(change, at);
    }
    GatewayMetrics.connections.set({}, this.registry.size);
    return connections;
  }

  async onModuleDestroy(): Promise<void> {
    this.draining = true;
    clearInterval(this.sweepTimer);
    const connections = this.closeAll('server shutting down; reconnect');
    this.logger.log({ msg: 'connections closed for shutdown', connections: connections.length });
    const closed = withTimeout(Promise.all(connections.map((connection) => connection.closed())), SHUTDOWN_CLOSE_GRACE_MS, 'close grace over').catch(() => undefined);
    // Presence tombstones before the lease's, so no presence record outlives its lease.
    await this.presence.close(SHUTDOWN_PUBLISH_TIMEOUT_MS);
    await this.lease.release(SHUTDOWN_PUBLISH_TIMEOUT_MS);
    await closed;
  }

  /** Nest calls this for every upgraded socket, before any of its frames is dispatched. */
  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const now = Date.now();
    socket.on('error', (error) => this.logger.debug({ msg: 'socket error', error: describeError(error) }));
    const address = clientAddress(request, this.trustedProxies);
    let admission: Authentication;
    try {
      admission = this.admit(request, address, now);
    } catch (error) {
      this.logger.error({ msg: 'admitting a connection failed', error: describeError(error) });
      GatewayMetrics.connectionsRefused.inc({ code: String(CloseCodes.internal_error.code) });
      closeSocket(socket, 'internal_error', 'unexpected server error');
      return;
    }
    if ('close' in admission) {
      this.logger.debug({ msg: 'connection refused', closeCode: admission.close, reason: admission.reason });
      GatewayMetrics.connectionsRefused.inc({ code: String(CloseCodes[admission.close].code) });
      closeSocket(socket, admission.close, admission.reason);
      return;
    }
    const { sub: userId, sid: sessionId, role } = admission.claims;
    const shared = { userBucket: this.userFrames.acquire(userId, now), outbound: this.outbound };
    const connection = new ClientConnection(socket, { userId, sessionId, role }, codecOfSocket(socket), this.limits, now, request.socket, shared, address);
    this.addresses.opened(address);
    this.connections.set(socket, connection);
    // Registered first, then announced: the router answers with the `session` frame once it knows.
    this.presence.record(this.registry.add(connection), now, this.openedSession(connection));
    GatewayMetrics.connectionsOpened.inc({});
    GatewayMetrics.connections.set({}, this.registry.size);
    connection.closeWhenExpired(admission.claims.exp * 1000, now);
    socket.on('pong', () => connection.touch(Date.now()));
    socket.on('ping', () => connection.touch(Date.now()));
    // Not OnGatewayDisconnect: Nest's hook does not carry the close code, which metrics and logs need.
    socket.on('close', (code) => this.onClose(connection, code));
    this.logger.log({ msg: 'connection opened', connectionId: connection.id, userId: connection.userId, tokenId: admission.claims.jti, open: this.registry.size });
  }

  /** This gateway's part of the socket's `session` frame (the router adds the presence snapshot). */
  private openedSession(connection: ClientConnection): OpenedSession {
    return {
      connectionId: connection.id,
      ...(connection.sessionId === undefined ? {} : { sessionId: connection.sessionId }),
      heartbeatIntervalMs: this.config.WS_PING_INTERVAL_MS,
      idleTimeoutMs: this.config.WS_IDLE_TIMEOUT_MS,
      limits: {
        maxFrameBytes: this.config.WS_MAX_FRAME_BYTES,
        framesPerSecond: this.config.WS_RATE_PER_SECOND,
        frameBurst: this.config.WS_RATE_BURST,
        maxConnectionsPerUser: this.config.WS_MAX_CONNECTIONS_PER_USER,
      },
    };
  }

  /**
   * Refuses in the order that costs least: shutting down, full, the client IP's sockets and
   * handshake rate, wrong origin, then the token, the user's own socket count, and last the
   * process' handshake budget, which only a socket that would otherwise be admitted spends: junk
   * cannot starve real users of it (each IP's own bucket bounds what junk costs). A client refused
   * with 1013 backs off longer before it comes back.
   */
  private admit(request: IncomingMessage, address: string, now: number): Authentication {
    if (this.draining) return { close: 'going_away', reason: 'server shutting down; reconnect' };
    if (!this.deliveryState.accepting || !this.revokedSessions.loaded) return { close: 'try_again_later', reason: 'gateway not ready; retry shortly' };
    if (this.registry.size >= this.config.WS_MAX_CONNECTIONS) {
      this.logger.warn({ msg: 'connection refused: at capacity', limit: this.config.WS_MAX_CONNECTIONS });
      return { close: 'try_again_later', reason: 'server full; retry later' };
    }
    if (this.addresses.atConnectionLimit(address)) {
      return { close: 'try_again_later', reason: `too many connections from this address (at most ${this.config.WS_MAX_CONNECTIONS_PER_IP}); retry later` };
    }
    if (!this.addresses.takeHandshake(address, now)) return { close: 'try_again_later', reason: 'too many connection attempts from this address; retry later' };
    if (!isOriginAllowed(request.headers.origin, this.config.ALLOWED_ORIGINS)) return { close: 'forbidden_origin', reason: 'origin not allowed' };
    const authentication = authenticate(request, this.tokenSettings, now, { acceptQueryToken: this.config.WS_ACCEPT_QUERY_TOKEN });
    if ('claims' in authentication && authentication.claims.sid !== undefined && this.revokedSessions.isRevoked(authentication.claims.sid)) {
      return { close: 'session_revoked', reason: 'session ended; log in again' };
    }
    if ('claims' in authentication && this.registry.connectionsOf(authentication.claims.sub).size >= this.config.WS_MAX_CONNECTIONS_PER_USER) {
      return { close: 'too_many_connections', reason: `too many connections for this user (at most ${this.config.WS_MAX_CONNECTIONS_PER_USER}); close another first` };
    }
    if ('claims' in authentication && !this.handshakes.take(now)) {
      this.warnHandshakesRefused(now);
      return { close: 'try_again_later', reason: 'too many connection attempts; retry later' };
    }
    return authentication;
  }

  /** Counts a handshake refused by the rate limit; logs the count at most once per interval. */
  private warnHandshakesRefused(now: number): void {
    this.handshakesRefused += 1;
    if (now - this.handshakeWarnedAt < HANDSHAKE_WARNING_INTERVAL_MS) return;
    this.logger.warn({ msg: 'connections refused: handshake rate limit', refusedSinceLastWarning: this.handshakesRefused, limitPerSecond: this.config.WS_MAX_HANDSHAKES_PER_SECOND });
    this.handshakesRefused = 0;
    this.handshakeWarnedAt = now;
  }

  // One handler per client frame type; the adapter decoded and validated the frame (parseClientFrame).
  @SubscribeMessage('send')
  send(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'send'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('receipt')
  receipt(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'receipt'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'typing'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('sync')
  sync(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'sync'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('history')
  history(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'history'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('open_direct')
  openDirect(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'open_direct'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('create_group')
  createGroup(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'create_group'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('add_members')
  addMembers(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'add_members'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('remove_member')
  removeMember(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'remove_member'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('rename_group')
  renameGroup(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'rename_group'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('set_member_role')
  setMemberRole(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'set_member_role'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('transfer_ownership')
  transferOwnership(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'transfer_ownership'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('list_conversations')
  listConversations(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'list_conversations'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('announce')
  announce(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'announce'>): void {
    this.handle(socket, frame);
  }

  @SubscribeMessage('ping')
  ping(@ConnectedSocket() socket: WebSocket, @MessageBody() frame: ClientFrameOf<'ping'>): void {
    this.handle(socket, frame);
  }

  /** A frame the parser could not read (not JSON, a bad field, an unknown type, too deep, binary). */
  @SubscribeMessage(UNREADABLE_FRAME)
  unreadable(@ConnectedSocket() socket: WebSocket, @MessageBody() error: ProtocolError): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    const receivedAt = Date.now();
    connection.touch(receivedAt);
    this.handleFrame.reject(connection, error, receivedAt);
  }

  /** Hands a frame on; a failure is logged with an id the client is told, and the socket stays open. */
  private handle(socket: WebSocket, frame: ClientFrame): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    const receivedAt = Date.now();
    connection.touch(receivedAt);
    this.handleFrame.execute(connection, frame, receivedAt).catch((error: unknown) => {
      const errorId = randomUUID();
      this.logger.error({ msg: 'frame handling failed', errorId, connectionId: connection.id, error: describeError(error) });
      connection.sendFrame({ type: 'error', code: 'internal', message: `unexpected server error (id ${errorId}); retrying is safe` });
    });
  }

  private onClose(connection: ClientConnection, code: number): void {
    this.addresses.closed(connection.clientIp);
    this.userFrames.release(connection.userId);
    const change = this.registry.remove(connection);
    if (change) this.presence.record(change, Date.now());
    GatewayMetrics.connectionsClosed.inc({ code: String(code) });
    GatewayMetrics.connections.set({}, this.registry.size);
    this.logger.log({ msg: 'connection closed', connectionId: connection.id, userId: connection.userId, code, closeCode: closeCodeName(code) });
  }

  /**
   * Pings every socket; one silent for the idle timeout (no pong, no frame) is presumed dead. A sweep
   * that runs late follows a stall of this process: Node runs due timers before reading sockets, so
   * the pongs that arrived meanwhile are still unread, and that round only pings.
   */
  private sweep(now: number): void {
    const sinceLastMs = now - this.lastSweepAt;
    const late = sinceLastMs > this.config.WS_PING_INTERVAL_MS * 1.5;
    this.lastSweepAt = now;
    if (late) this.logger.warn({ msg: 'heartbeat sweep ran late; pinging only this round', sinceLastMs });
    // Counts the backlogs now and then even without traffic (the gauge), shedding if over.
    this.outbound.enforce();
    for (const connection of this.registry.all()) {
      if (!late && connection.silentFor(now) >= this.config.WS_IDLE_TIMEOUT_MS) {
        this.logger.log({ msg: 'closing silent connection', connectionId: connection.id, silentForMs: connection.silentFor(now) });
        connection.close('heartbeat_timeout', 'no pong or frame in time');
      } else {
        connection.ping();
      }
    }
  }
}
