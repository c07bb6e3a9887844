import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** What the echo server tells its parent once it listens. */
export interface EchoServerReady {
  port: number;
}

/**
 * A raw `ws` server echoing every frame back, configured like the gateway's socket (on an HTTP
 * server, one path, the gateway's frame size limit, no per-message deflate). It runs in a process
 * of its own, as the gateway does, so it has its own event loop and core.
 */
export function startEchoServer(maxPayload: number): Promise<EchoServerReady> {
  const http = createServer((_, response) => response.writeHead(404).end());
  const server = new WebSocketServer({ server: http, path: '/ws', maxPayload, perMessageDeflate: false });
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    socket.on('error', () => socket.terminate());
  });
  return new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve({ port: (http.address() as AddressInfo).port })));
}

// Forked by runWsEchoBaseline: argv[2] is maxPayload; the port goes back over the IPC channel, and
// the process ends with its parent.
if (require.main === module) {
  void startEchoServer(Number(process.argv[2])).then((ready) => process.send?.(ready));
  process.on('disconnect', () => process.exit(0));
}
