import { accessTokenSubprotocol, JSON_CODEC } from '@chat/wire';

/*
 * The transport seam of the SDK. ChatClient only ever talks to a ChatSocket made by a SocketFactory,
 * so Node (`ws`, see node-socket.ts), a browser's WebSocket (below) or an in-memory fake in tests
 * plug in without the client knowing which.
 */

/** What the socket reports back; each socket calls `onClose` exactly once, also after `onError`. */
export interface SocketListeners {
  onOpen(): void;
  /** One WebSocket message: a string when it came as text, bytes when binary (the codec decides what it accepts). */
  onMessage(data: string | Uint8Array): void;
  onClose(code: number, reason: string): void;
  onError(error: Error): void;
}

/** One WebSocket connection as the client uses it: frames out (a string as text, bytes as binary), close. */
export interface ChatSocket {
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface SocketRequest {
  /** The gateway's WebSocket URL, e.g. `ws://127.0.0.1:3000/ws`. */
  url: string;
  /** The access token to authenticate the connection with. */
  token: string;
  /** The subprotocol to offer (`Sec-WebSocket-Protocol`), i.e. the codec; none: the server speaks JSON. */
  subprotocol?: string;
}

export type SocketFactory = (request: SocketRequest, listeners: SocketListeners) => ChatSocket;

/** The part of the WHATWG WebSocket this SDK uses (declared here: the workspace builds without DOM types). */
export interface BrowserWebSocketLike {
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** `arraybuffer`, so binary messages arrive as ArrayBuffer rather than Blob. */
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type BrowserWebSocketConstructor = new (url: string, protocols?: string | string[]) => BrowserWebSocketLike;

/**
 * The subprotocols a socket offers: the codec first (the gateway answers with it), then
 * `chat.auth.<token>`. A browser cannot set an Authorization header on a WebSocket, and a token in
 * the URL would end up in access logs; the gateway refuses it there.
 */
export function offeredSubprotocols(token: string, subprotocol: string | undefined): string[] {
  return [subprotocol ?? JSON_CODEC.subprotocol, accessTokenSubprotocol(token)];
}

/** Sockets from a browser's WebSocket (or any implementation of the standard API); the token goes in a subprotocol. */
export function browserSocketFactory(WebSocketImpl: BrowserWebSocketConstructor): SocketFactory {
  return ({ url, token, subprotocol }, listeners) => {
    const socket = new WebSocketImpl(url, offeredSubprotocols(token, subprotocol));
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => listeners.onOpen();
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') listeners.onMessage(event.data);
      else if (event.data instanceof ArrayBuffer) listeners.onMessage(new Uint8Array(event.data));
      else listeners.onError(new Error('received a WebSocket message that is neither text nor an ArrayBuffer'));
    };
    socket.onerror = () => listeners.onError(new Error('WebSocket error'));
    socket.onclose = (event) => listeners.onClose(event.code, event.reason);
    return socket;
  };
}
