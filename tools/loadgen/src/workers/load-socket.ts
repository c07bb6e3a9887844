import type { SocketFactory } from '@chat/client-sdk';
import { openNodeSocket } from '@chat/client-sdk/node';

/**
 * Generous: on a loaded machine a gateway answers upgrades late, and a client that gives up only
 * comes back with another handshake, which makes the storm worse.
 */
const HANDSHAKE_TIMEOUT_MS = 120_000;

/**
 * The SDK's transport seam (SocketFactory) for the load generator: the SDK's Node sockets plus what
 * a load generator needs on one machine:
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
  /** Told of every WebSocket message received and sent, with its payload size in bytes (for bytes per frame). */
  onFrame?: { received(bytes: number): void; sent(bytes: number): void };
}

export function loadSocketFactory(initialGateway: number, options: LoadSocketOptions): SocketFactory {
  let attempts = 0;
  const { onFrame } = options;
  return ({ token, subprotocol }, listeners) => {
    const gateway = attempts++ === 0 || !options.failover ? initialGateway : Math.floor(Math.random() * options.gatewayUrls.length);
    options.onDial?.(gateway);
    const socket = openNodeSocket(
      options.gatewayUrls[gateway],
      token,
      listeners,
      {
        handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
        localAddress: options.localAddress,
        // ws hands every message over as one Buffer (its payload as it came, text or binary).
        ...(onFrame ? { onSocket: (ws) => ws.on('message', (data: Buffer) => onFrame.received(data.length)) } : {}),
      },
      subprotocol,
    );
    if (!onFrame) return socket;
    return {
      send: (data) => {
        onFrame.sent(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
        socket.send(data);
      },
      close: (code, reason) => socket.close(code, reason),
    };
  };
}
