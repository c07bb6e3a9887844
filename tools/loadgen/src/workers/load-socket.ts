import WebSocket from 'ws';
import type { ChatSocket, SocketFactory, SocketListeners } from '@chat/client-sdk';

/**
 * The SDK's transport seam (SocketFactory) for the load generator: like the SDK's nodeSocketFactory
 * (token in the Authorization header) plus what a load generator needs on one machine:
 * - a local source address per socket (past ~28,000 connections to one address:port the ephemeral
 *   ports of one source address run out);
 * - which gateway to dial: the first attempt goes to the client's own gateway; after a lost
 *   connection, with `failover`, a random gateway of the list, as a load balancer would pick.
 */
export interface LoadSocketOptions {
  gatewayUrls: string[];
  localAddress?: string;
  failover: boolean;
  /** Told which gateway each attempt dials. */
  onDial?: (gatewayIndex: number) => void;
}

export function loadSocketFactory(initialGateway: number, options: LoadSocketOptions): SocketFactory {
  let attempts = 0;
  return ({ token }, listeners) => {
    const gateway = attempts++ === 0 || !options.failover ? initialGateway : Math.floor(Math.random() * options.gatewayUrls.length);
    options.onDial?.(gateway);
    return openLoadSocket(options.gatewayUrls[gateway], token, options.localAddress, listeners);
  };
}

export function openLoadSocket(url: string, token: string, localAddress: string | undefined, listeners: SocketListeners): ChatSocket {
  const socket = new WebSocket(url, {
    headers: { authorization: `Bearer ${token}` },
    handshakeTimeout: 30_000,
    maxPayload: 4 * 1024 * 1024,
    perMessageDeflate: false,
    ...(localAddress ? { localAddress } : {}),
  });
  socket.on('open', () => listeners.onOpen());
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      listeners.onError(new Error('received a binary frame'));
      return;
    }
    listeners.onMessage(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
  });
  socket.on('error', (error) => listeners.onError(error));
  socket.on('close', (code, reason) => listeners.onClose(code, reason.toString('utf8')));
  return {
    send: (data) => socket.send(data),
    close: (code, reason) => {
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(code, reason);
    },
  };
}
