import WebSocket from 'ws';
import { type ChatSocket, offeredSubprotocols, type SocketFactory, type SocketListeners } from './socket';

export interface NodeSocketOptions {
  /** Opening handshake deadline; a hung TCP connect or upgrade counts as a failed attempt after it. */
  handshakeTimeoutMs?: number;
  /** Extra HTTP headers of the upgrade request. */
  headers?: Record<string, string>;
  /** Local source address (a load generator spreads sockets over 127.0.0.x to have more ports). */
  localAddress?: string;
  /** Told of every `ws` socket opened, e.g. to pause reading it (a test of a slow consumer). */
  onSocket?: (socket: WebSocket) => void;
}

/** Sockets from the `ws` package for Node (CLI, load generator, tests): the token goes in a subprotocol, as in browsers. */
export function nodeSocketFactory(options: NodeSocketOptions = {}): SocketFactory {
  return ({ url, token, subprotocol }, listeners) => openNodeSocket(url, token, listeners, options, subprotocol);
}

/**
 * One socket of nodeSocketFactory, for callers that pick the URL themselves (e.g. one of several
 * gateways). `subprotocol` (the codec; JSON when undefined) and `chat.auth.<token>` are offered in
 * `Sec-WebSocket-Protocol`; ws fails the connection if the server answers with one not offered.
 */
export function openNodeSocket(url: string, token: string, listeners: SocketListeners, options: NodeSocketOptions = {}, subprotocol?: string): ChatSocket {
  const socket = new WebSocket(url, offeredSubprotocols(token, subprotocol), {
    ...(options.headers ? { headers: options.headers } : {}),
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    // Frames bigger than the protocol allows are refused by the decoder anyway; keep ws's own cap generous.
    maxPayload: 4 * 1024 * 1024,
    perMessageDeflate: false,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  options.onSocket?.(socket);
  socket.on('open', () => listeners.onOpen());
  socket.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    listeners.onMessage(isBinary ? bytes : bytes.toString('utf8'));
  });
  socket.on('error', (error) => listeners.onError(error));
  socket.on('close', (code, reason) => listeners.onClose(code, reason.toString('utf8')));
  return {
    send: (data) => socket.send(data),
    close: (code, reason) => {
      // Closing a socket that is still connecting makes ws throw; terminate it instead.
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(code, reason);
    },
  };
}
