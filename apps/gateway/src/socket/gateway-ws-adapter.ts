import { Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';
import { describeError } from '@chat/helpers';

/**
 * The `ws` adapter of @nestjs/platform-ws, minus its per-socket error logging. A socket error is
 * almost always the client's doing (an oversized frame, bad UTF-8), logged at error level once per
 * occurrence it would let any client flood the logs; SocketGateway logs those at debug instead.
 */
export class GatewayWsAdapter extends WsAdapter {
  private readonly serverLogger = new Logger(GatewayWsAdapter.name);

  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('error', (error) => this.serverLogger.error({ msg: 'websocket server error', error: describeError(error) }));
    return server;
  }
}
