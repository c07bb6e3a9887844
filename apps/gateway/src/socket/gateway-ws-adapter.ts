import { Logger, type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';
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
 * The `ws` adapter of @nestjs/platform-ws for SocketGateway, with three changes:
 * - frames are `{type, …}`, not Nest's `{event, data}`: the message parser decodes and validates each
 *   one and dispatches it to the `@SubscribeMessage` handler of its type;
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

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('error', (error) => this.serverLogger.error({ msg: 'websocket server error', error: describeError(error) }));
    return server;
  }
}

/** The gateway's application settings (runService's `configure`): its WebSocket adapter. */
export function configureGateway(app: INestApplication, config: GatewayConfig): void {
  app.useWebSocketAdapter(new GatewayWsAdapter(app, config));
}
