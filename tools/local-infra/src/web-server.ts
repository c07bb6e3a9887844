import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';

/*
 * Serves the built web client (dist/apps/web) and routes its two API paths on the same origin, as an
 * ingress does in production (docs/deploy.md): `/auth/*` to auth's REST API and `/ws` (the WebSocket
 * upgrade) to a gateway. One origin means no CORS anywhere, and the gateway's ALLOWED_ORIGINS can
 * name exactly this one. `up` runs it beside the services; the e2e suite serves the same build
 * through it to a real browser.
 */

export interface WebServerOptions {
  /** The built app: index.html and assets/ (vite build → dist/apps/web). */
  root: string;
  /** auth's base URL, e.g. http://127.0.0.1:3001. */
  authUrl: string;
  /** The gateway's HTTP base URL, e.g. http://127.0.0.1:3000 (its WebSocket is `/ws` there). */
  gatewayUrl: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface WebServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  /** WebSocket connections relayed to the gateway right now. */
  openSockets(): number;
  /**
   * Cuts every relayed WebSocket connection without a close frame, both ways, as a dropped network
   * or a restarted load balancer would (the browser sees 1006). New connections still go through.
   */
  dropSockets(): number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The app loads only its own scripts and styles and talks only to its own origin (`'self'` covers ws: there). */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own business, never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

function pathnameOf(request: IncomingMessage): string {
  return new URL(request.url ?? '/', 'http://placeholder').pathname;
}

const isAuthPath = (pathname: string): boolean => pathname === '/auth' || pathname.startsWith('/auth/');

/** The request's headers for the upstream, with X-Forwarded-* saying who asked (auth's TRUST_PROXY_HOPS may use it). */
function forwardedHeaders(request: IncomingMessage, keepUpgrade: boolean): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && (keepUpgrade || !HOP_BY_HOP.has(name))) headers[name] = value;
  }
  const client = request.socket.remoteAddress ?? '';
  const previous = request.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = previous ? `${String(previous)}, ${client}` : client;
  headers['x-forwarded-proto'] = 'http';
  if (request.headers.host) headers['x-forwarded-host'] = request.headers.host;
  return headers;
}

function sendText(response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
  response.end(text);
}

/** `/auth/*` → auth. An unreachable auth answers 502 in auth's own error format, so the app shows it like any error. */
function proxyHttp(request: IncomingMessage, response: ServerResponse, target: URL): void {
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: forwardedHeaders(request, false) },
    (answer) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      response.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    if (response.headersSent) {
      response.destroy(error);
      return;
    }
    const body = JSON.stringify({ error: { code: 'bad_gateway', message: `auth is not reachable: ${error.message}` } });
    response.writeHead(502, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  request.pipe(upstream);
}

/** `/ws` upgrade → the gateway: the handshake is relayed as is (subprotocol, token, Origin), then bytes both ways. */
function proxyUpgrade(request: IncomingMessage, client: Duplex, head: Buffer, target: URL, sockets: Set<Duplex>): void {
  const upstream = http.request({ host: target.hostname, port: target.port, method: 'GET', path: request.url, headers: forwardedHeaders(request, true) });
  const fail = (status: string) => {
    if (client.writable) client.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else client.destroy();
  };
  upstream.on('upgrade', (answer, gateway, gatewayHead) => {
    const lines = [`HTTP/1.1 ${answer.statusCode ?? 101} ${answer.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
    client.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (gatewayHead.length > 0) client.write(gatewayHead);
    if (head.length > 0) gateway.write(head);
    sockets.add(client);
    const forget = () => {
      sockets.delete(client);
      gateway.destroy();
      client.destroy();
    };
    gateway.on('error', forget).on('close', forget);
    client.on('error', forget).on('close', forget);
    gateway.pipe(client);
    client.pipe(gateway);
  });
  // Refused before the upgrade (e.g. 400 for an unsupported subprotocol): relay the answer and close.
  upstream.on('response', (answer) => {
    const lines = [`HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ''}`, 'connection: close'];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      const name = answer.rawHeaders[i] ?? '';
      if (!HOP_BY_HOP.has(name.toLowerCase())) lines.push(`${name}: ${answer.rawHeaders[i + 1]}`);
    }
    client.write(`${lines.join('\r\n')}\r\n\r\n`);
    answer.pipe(client);
  });
  upstream.on('error', () => fail('502 Bad Gateway'));
  client.on('error', () => upstream.destroy());
  upstream.end();
}

/** A file of the build, or index.html for an app route (a path without an extension), with caching that suits each. */
async function serveStatic(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'method not allowed', { allow: 'GET, HEAD' });
  let pathname: string;
  try {
    pathname = decodeURIComponent(pathnameOf(request));
  } catch {
    return sendText(response, 400, 'malformed path');
  }
  const file = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return sendText(response, 404, 'not found');
  let target = file;
  let info = await stat(target).catch(() => undefined);
  if (info?.isDirectory()) {
    target = path.join(target, 'index.html');
    info = await stat(target).catch(() => undefined);
  }
  if (!info?.isFile()) {
    if (path.extname(pathname) !== '') return sendText(response, 404, 'not found');
    target = path.join(root, 'index.html');
    info = await stat(target).catch(() => undefined);
    if (!info?.isFile()) return sendText(response, 404, 'the web client is not built (no index.html)');
  }
  // Vite names assets by content hash: they never change. index.html must be checked every time.
  const immutable = path.relative(root, target).startsWith(`assets${path.sep}`);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(target)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(target)
    .on('error', (error) => response.destroy(error))
    .pipe(response);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const root = path.resolve(options.root);
  const auth = new URL(options.authUrl);
  const gateway = new URL(options.gatewayUrl);
  const sockets = new Set<Duplex>();

  const server = http.createServer((request, response) => {
    const pathname = pathnameOf(request);
    if (isAuthPath(pathname)) return proxyHttp(request, response, auth);
    if (pathname === '/ws') return sendText(response, 426, 'the chat WebSocket: connect with a WebSocket client', { upgrade: 'websocket' });
    serveStatic(root, request, response).catch((error: unknown) => {
      if (!response.headersSent) sendText(response, 500, 'internal error');
      else response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on('upgrade', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    if (pathnameOf(request) !== '/ws') {
      client.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    proxyUpgrade(request, client, head, gateway, sockets);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    port,
    openSockets: () => sockets.size,
    dropSockets() {
      const count = sockets.size;
      for (const socket of [...sockets]) socket.destroy();
      return count;
    },
    close() {
      for (const socket of [...sockets]) socket.destroy();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
