import type { WebSocket } from 'ws';
import { CloseCodes, type CloseCodeName } from '@chat/protocol';

/**
 * How long a closing socket may take to answer the close handshake before it is cut. ws would wait
 * 30 s, which lets clients that never answer (dead, hostile or not reading) hold sockets for long.
 */
const CLOSE_HANDSHAKE_GRACE_MS = 5000;

/** Closes with one of the protocol's close codes; reasons are short (a close frame carries at most 123 bytes). */
export function closeSocket(socket: WebSocket, name: CloseCodeName, reason: string): void {
  if (socket.readyState === socket.CLOSING || socket.readyState === socket.CLOSED) return;
  socket.close(CloseCodes[name].code, reason);
  const cut = setTimeout(() => socket.terminate(), CLOSE_HANDSHAKE_GRACE_MS);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}
