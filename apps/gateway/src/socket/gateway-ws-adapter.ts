import { Logger, type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { RawData, VerifyClientCallbackAsync, WebSocket, WebSocketServer } from 'ws';
import { ACCESS_TOKEN_SUBPROTOCOL_PREFIX, codecOfSubprotocol, JSON_CODEC, negotiateCodec, ProtocolError, SUPPORTED_SUBPROTOCOLS, type ClientFrame, type WireCodec } from '@chat/protocol';
import { describeError } from '@chat/helpers';
import type { GatewayConfig } from '../config';
import { GatewayMetrics } from '../telemetry/gateway.metrics';

/** The event a frame that could not be read is dispatched as; no frame type can be spelled so. */
export const UNREADABLE_FRAME = '#unreadable';

/** What parseClientFrame hands a `@SubscribeMessage` handler: a valid frame under its type, or why not. */
export type ParsedFrame = { event: ClientFrame['type']; data: ClientFrame } | { event: typeof UNREADABLE_FRAME; data: ProtocolError };

/**
 * Decodes and validates one WebSocket message as a client frame in the socket's codec: a text
 * message as a string, a binary one as bytes (the codec refuses the kind it does not speak). Errors
 * other than ProtocolError are bugs and propagate.
 */
export function parseClientFrame(data: string | Uint8Array, maxBytes: number, codec: WireCodec = JSON_CODEC): ParsedFrame {
  try {
    const frame = codec.decodeClient(data, maxBytes);
    return { event: frame.type, data: frame };
  } catch (error) {
    if (error instanceof ProtocolError) return { event: UNREADABLE_FRAME, data: error };
    throw error;
  }
}

/** The subprotocols a client offered in its upgrade request (ws has checked the header's syntax). */
function offeredSubprotocols(header: string | undefined): string[] {
  return header === undefined ? [] : header.split(',').map((name) => name.trim());
}

/** The offered subprotocols that name a codec: `chat.auth.<token>` carries the token and is never chosen. */
function codecOffers(offered: Iterable<string>): string[] {
  return [...offered].filter((name) => !name.startsWith(ACCESS_TOKEN_SUBPROTOCOL_PREFIX));
}

/**
 * Refuses, before the upgrade, a client that offered subprotocols none of which is a codec: HTTP 400
 * naming the supported ones. Admitting it is no option: a client that offered subprotocols must
 * fail a connection whose answer picks none (RFC 6455, 4.1), so it would never see a close code.
 */
const refuseUnsupportedSubprotocols: VerifyClientCallbackAsync = ({ req }, accept) => {
  const offered = offeredSubprotocols(req.headers['sec-websocket-protocol']);
  const codecs = codecOffers(offered);
  // Only a token offered: the answer must name an offered subprotocol, and it must not be the token.
  if (offered.length > 0 && codecs.length === 0) {
    GatewayMetrics.connectionsRefused.inc({ code: '400' });
    return accept(false, 400, `offer a codec subprotocol (${SUPPORTED_SUBPROTOCOLS.join(', ')}) next to chat.auth.<token>`, { 'Content-Type': 'text/plain; charset=utf-8' });
  }
  if (negotiateCodec(codecs) !== undefined) return accept(true);
  GatewayMetrics.connectionsRefused.inc({ code: '400' });
  accept(false, 400, `unsupported WebSocket subprotocol; supported: ${SUPPORTED_SUBPROTOCOLS.join(', ')}`, { 'Content-Type': 'text/plain; charset=utf-8' });
};

/** The codec an admitted socket negotiated (JSON when it offered no subprotocol). */
export function codecOfSocket(socket: WebSocket): WireCodec {
  return codecOfSubprotocol(socket.protocol) ?? JSON_CODEC;
}

/**
 * The `ws` adapter of @nestjs/platform-ws for SocketGateway, with five changes:
 * - the codec is negotiated at the upgrade (`Sec-WebSocket-Protocol`: JSON by default, Protobuf on
 *   request), and an offer of only unsupported subprotocols is refused with HTTP 400;
 * - frames are `{type, …}`, not Nest's `{event, data}`: each message is decoded and validated in the
 *   socket's codec and dispatched to the `@SubscribeMessage` handler of its type;
 * - dispatch without a per-message rxjs pipeline (see bindMessageHandlers);
 * - the server's limits come from the configuration (a decorator's options are fixed at compile time);
 * - no per-socket error logging: a socket error is almost always the client's doing (an oversized
 *   frame, bad UTF-8), and logged at error level once per occurrence it would let any client flood
 *   the logs; SocketGateway logs those at debug instead.
 */
export class GatewayWsAdapter extends WsAdapter {
  private readonly serverLogger = new Logger(GatewayWsAdapter.name);

  constructor(
    app: INestApplication,
    private readonly config: GatewayConfig,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): WebSocketServer {
    return super.create(port, {
      ...options,
      maxPayload: this.config.WS_MAX_FRAME_BYTES,
      perMessageDeflate: false,
      verifyClient: refuseUnsupportedSubprotocols,
      // Called only when the client offered some; verifyClient made sure one of them is supported.
      handleProtocols: (offered: Set<string>) => negotiateCodec(codecOffers(offered))?.subprotocol ?? false,
    });
  }

  /**
   * WsAdapter runs every message through an rxjs chain (fromEvent over a MessageEvent, mergeMap,
   * filter, catchError, fromPromise) before and after the handler: measured on the gateway's ingress
   * at about +30 µs of CPU per frame and four times the garbage collection (docs/performance.md,
   * "The gateway as a Nest WebSocket gateway"). This calls the same handlers (Nest's context: pipes,
   * guards, interceptors, exception filters) straight from ws's `message` event, and sends a handler's
   * result, if it has one, as WsAdapter does.
   */
  override bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[], transform: (data: unknown) => Observable<unknown>): void {
    const byEvent = new Map(handlers.map((handler) => [handler.message, handler]));
    const codec = codecOfSocket(client);
    const maxBytes = this.config.WS_MAX_FRAME_BYTES;
    const reply = (response: unknown) => {
      if (response !== undefined && response !== null && client.readyState === client.OPEN) client.send(JSON.stringify(response));
    };
    client.on('message', (data: RawData, isBinary: boolean) => {
      let message: ParsedFrame;
      try {
        // ws hands text frames over as bytes here; codecs take text as a string. With the default
        // binaryType ('nodebuffer') every message is one Buffer.
        message = parseClientFrame(isBinary ? (data as Buffer) : data.toString(), maxBytes, codec);
      } catch (error) {
        // The parser answers bad input itself (UNREADABLE_FRAME); what it throws is a bug: log, keep the socket.
        this.serverLogger.error({ msg: 'websocket message parser failed', error: describeError(error) });
        return;
      }
      const handler = byEvent.get(message.event);
      if (!handler) return;
      const result: unknown = handler.callback(message.data, message.event);
      if (result instanceof Promise) {
        result.then(
          (value: unknown) => value === undefined || transform(value).subscribe(reply),
          (error: unknown) => this.serverLogger.error({ msg: 'websocket handler failed', error: describeError(error) }),
        );
      } else if (result !== undefined) {
        transform(result).subscribe(reply);
      }
    });
  }

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('error', (error) => this.serverLogger.error({ msg: 'websocket server error', error: describeError(error) }));
    return server;
  }
}

/** The gateway's application settings (runService's `configure`): its WebSocket adapter. */
export function configureGateway(app: INestApplication, config: GatewayConfig): void {
  app.useWebSocketAdapter(new GatewayWsAdapter(app, config));
}
