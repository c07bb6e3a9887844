import { Logger, type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { decodeClientFrame, ProtocolError, type ClientFrame } from '@chat/protocol';
import { describeError } from '@chat/helpers';
import type { GatewayConfig } from '../config';

/** The event a frame that could not be read is dispatched as; no frame type can be spelled so. */
export const UNREADABLE_FRAME = '#unreadable';

/** What the message parser hands a `@SubscribeMessage` handler: a valid frame under its type, or why not. */
export type ParsedFrame = { event: ClientFrame['type']; data: ClientFrame } | { event: typeof UNREADABLE_FRAME; data: ProtocolError };

/**
 * Decodes and validates one WebSocket message as a client frame. Text frames only: `ws` hands text as
 * a string and binary as bytes. Errors other than ProtocolError are bugs and propagate.
 */
export function parseClientFrame(data: unknown, maxBytes: number): ParsedFrame {
  if (typeof data !== 'string') {
    return { event: UNREADABLE_FRAME, data: new ProtocolError('invalid_json', 'frame: binary frames are not accepted; send JSON as a text frame') };
  }
  try {
    const frame = decodeClientFrame(data, maxBytes);
    return { event: frame.type, data: frame };
  } catch (error) {
    if (error instanceof ProtocolError) return { event: UNREADABLE_FRAME, data: error };
    throw error;
  }
}

/**
 * The `ws` adapter of @nestjs/platform-ws for SocketGateway, with four changes:
 * - frames are `{type, …}`, not Nest's `{event, data}`: the message parser decodes and validates each
 *   one and dispatches it to the `@SubscribeMessage` handler of its type;
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
    super(app, { messageParser: (data) => parseClientFrame(data, config.WS_MAX_FRAME_BYTES) });
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): WebSocketServer {
    return super.create(port, { ...options, maxPayload: this.config.WS_MAX_FRAME_BYTES, perMessageDeflate: false });
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
    const reply = (response: unknown) => {
      if (response !== undefined && response !== null && client.readyState === client.OPEN) client.send(JSON.stringify(response));
    };
    client.on('message', (data: RawData, isBinary: boolean) => {
      let message: ReturnType<WsAdapter['messageParser']>;
      try {
        // ws hands text frames over as bytes here; the parser takes text as a string, as WsAdapter gives it.
        message = this.messageParser(isBinary ? data : data.toString());
      } catch (error) {
        // The parser answers bad input itself (UNREADABLE_FRAME); what it throws is a bug: log, keep the socket.
        this.serverLogger.error({ msg: 'websocket message parser failed', error: describeError(error) });
        return;
      }
      const handler = message ? byEvent.get(message.event) : undefined;
      if (!message || !handler) return;
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
