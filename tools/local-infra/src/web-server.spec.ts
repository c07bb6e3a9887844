import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { startWebServer, type WebServer } from './web-server';

/** A stand-in for auth: answers every request with what it received. */
async function echoAuth(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ method: request.method, url: request.url, body, forwardedFor: request.headers['x-forwarded-for'] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A stand-in for the gateway: a WebSocket server on /ws that echoes, and refuses unknown subprotocols with 400 as the gateway does. */
async function echoGateway(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if (request.headers['sec-websocket-protocol'] !== 'chat.v1.json') {
      socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 11\r\n\r\nunsupported');
      return;
    }
    wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
  });
  wss.on('connection', (socket, request) => {
    socket.send(`hello ${new URL(request.url ?? '', 'http://x').searchParams.get('access_token')}`);
    socket.on('message', (data) => socket.send(`echo ${data.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(data.toString()));
    socket.once('error', reject);
  });
}

describe('the web server', () => {
  let root: string;
  let auth: Awaited<ReturnType<typeof echoAuth>>;
  let gateway: Awaited<ReturnType<typeof echoGateway>>;
  let web: WebServer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'web-server-spec-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>chat</title>');
    await writeFile(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(path.join(tmpdir(), 'outside-web-root.txt'), 'secret');
    auth = await echoAuth();
    gateway = await echoGateway();
    web = await startWebServer({ root, authUrl: auth.url, gatewayUrl: gateway.url });
  });

  afterAll(async () => {
    await web.close();
    await auth.close();
    await gateway.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves the build: hashed assets cached for good, index.html revalidated, app routes fall back to it', async () => {
    const asset = await fetch(`${web.url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const index = await fetch(`${web.url}/`);
    expect(await index.text()).toContain('<title>chat</title>');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await (await fetch(`${web.url}/conversations/123`)).text()).toContain('<title>chat</title>');
    expect((await fetch(`${web.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${web.url}/..%2Foutside-web-root.txt`)).status).toBe(404);
    expect((await fetch(`${web.url}/`, { method: 'POST' })).status).toBe(405);
  });

  it('routes /auth/* to auth with the body and who asked', async () => {
    const response = await fetch(`${web.url}/auth/login?x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"alice"}' });
    expect(await response.json()).toEqual({ method: 'POST', url: '/auth/login?x=1', body: '{"username":"alice"}', forwardedFor: '127.0.0.1' });
  });

  it('answers 502 in auth’s error format when auth is down', async () => {
    const down = await startWebServer({ root, authUrl: 'http://127.0.0.1:1', gatewayUrl: gateway.url });
    try {
      const response = await fetch(`${down.url}/auth/me`);
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ error: { code: 'bad_gateway' } });
    } finally {
      await down.close();
    }
  });

  it('relays the /ws upgrade with its subprotocol and query to the gateway, and drops relayed sockets on demand', async () => {
    const socket = new WebSocket(`${web.url.replace('http', 'ws')}/ws?access_token=t0k3n`, ['chat.v1.json']);
    expect(await nextMessage(socket)).toBe('hello t0k3n');
    expect(socket.protocol).toBe('chat.v1.json');
    socket.send('ping');
    expect(await nextMessage(socket)).toBe('echo ping');
    expect(web.openSockets()).toBe(1);

    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    expect(web.dropSockets()).toBe(1);
    expect(await closed).toBe(1006);
    expect(web.openSockets()).toBe(0);
  });

  it('relays a refused upgrade (unsupported subprotocol) as the gateway answered it', async () => {
    const socket = new WebSocket(`${web.url.replace('http', 'ws')}/ws`, ['chat.v9']);
    // With an unexpected-response listener, ws leaves the failed handshake to us; terminate() then reports it as an error.
    socket.on('error', () => undefined);
    const answer = await new Promise<{ status: number; body: string }>((resolve) =>
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      }),
    );
    socket.terminate();
    expect(answer).toEqual({ status: 400, body: 'unsupported' });
  });
});
