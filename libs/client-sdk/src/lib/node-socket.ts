import WebSocket from 'ws';
import type { ChatSocket, SocketFactory, SocketListeners } from './socket';

export interface NodeSocketOptions {
  /** Opening handshake deadline; a hung TCP connect or upgrade counts as a failed attempt after it. */
  handshakeTimeoutMs?: number;
  /** Extra HTTP headers of the upgrade request (the Authorization header is set by the factory). */
  headers?: Record<string, string>;
  /** Local source address (a load generator spreads sockets over 127.0.0.x to have more ports). */
  localAddress?: string;
  /** Told of every `ws` socket opened, e.g. to pause reading it (a test of a slow consumer). */
  onSocket?: (socket: WebSocket) => void;
}

/** Sockets from the `ws` package for Node (CLI, load generator, tests): the token goes in the Authorization header. */
export function nodeSocketFactory(options: NodeSocketOptions = {}): SocketFactory {
  return ({ url, token }, listeners) => openNodeSocket(url, token, listeners, options);
}

/** One socket of nodeSocketFactory, for callers that pick the URL themselves (e.g. one of several gateways). */
export function openNodeSocket(url: string, token: string, listeners: SocketListeners, options: NodeSocketOptions = {}): ChatSocket {
  const socket = new WebSocket(url, {
    headers: { ...options.headers, authorization: `Bearer ${token}` },
    handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
    // Frames bigger than the protocol allows are refused by the decoder anyway; keep ws's own cap generous.
    maxPayload: 4 * 1024 * 1024,
    perMessageDeflate: false,
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  options.onSocket?.(socket);
  socket.on('open', () => listeners.onOpen());
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      listeners.onError(new Error('received a binary frame; the chat protocol uses text frames only'));
      return;
    }
    listeners.onMessage(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
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
