import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { expectEventually } from '@chat/testing';
import { nodeSocketFactory } from '../node';
import { type BrowserWebSocketLike, browserSocketFactory, type SocketListeners } from './socket';

function recorder(): { listeners: SocketListeners; events: string[]; closed: Promise<void> } {
  const events: string[] = [];
  let onClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (onClosed = resolve));
  return {
    events,
    closed,
    listeners: {
      onOpen: () => events.push('open'),
      onMessage: (data) => events.push(typeof data === 'string' ? `message ${data}` : `binary ${[...data].join(',')}`),
      onError: (error) => events.push(`error ${error.message}`),
      onClose: (code, reason) => {
        events.push(`close ${code} ${reason}`);
        onClosed();
      },
    },
  };
}

describe('nodeSocketFactory', () => {
  let server: WebSocketServer;
  let url: string;
  const seen: { authorization?: string; protocol?: string; url?: string; frames: string[] } = { frames: [] };

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    server.on('connection', (socket, request) => {
      seen.authorization = request.headers.authorization;
      seen.protocol = request.headers['sec-websocket-protocol'];
      seen.url = request.url;
      socket.on('message', (data, isBinary) => {
        seen.frames.push(String(data));
        if (isBinary) socket.send(data);
        else if (String(data) === 'bye') socket.close(4002, 'token_expired');
        else socket.send(`echo ${String(data)}`);
      });
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('offers the JSON codec and the token as subprotocols (no header, nothing in the URL), exchanges text frames and reports the close code', async () => {
    const { listeners, events, closed } = recorder();
    const socket = nodeSocketFactory()({ url, token: 'tok-1' }, listeners);
    await new Promise<void>((resolve) => {
      const original = listeners.onOpen;
      listeners.onOpen = () => {
        original();
        resolve();
      };
    });
    socket.send('hello');
    socket.send('bye');
    await closed;
    expect([seen.authorization, seen.protocol, seen.url]).toEqual([undefined, 'chat.v1.json,chat.auth.tok-1', '/ws']);
    expect(events).toEqual(['open', 'message echo hello', 'close 4002 token_expired']);
  });

  it('offers the subprotocol and exchanges binary frames as bytes', async () => {
    const { listeners, events } = recorder();
    const opened = new Promise<void>((resolve) => (listeners.onOpen = resolve));
    const socket = nodeSocketFactory()({ url, token: 'tok-2', subprotocol: 'chat.v1.protobuf' }, listeners);
    await opened;
    socket.send(new Uint8Array([1, 2, 255]));
    await expectEventually(() => expect(events).toEqual(['binary 1,2,255']));
    socket.close(1000);
    expect(seen.protocol).toBe('chat.v1.protobuf,chat.auth.tok-2');
  });

  it('reports a refused connection as an error followed by one close', async () => {
    const { listeners, events, closed } = recorder();
    nodeSocketFactory()({ url: 'ws://127.0.0.1:1/ws', token: 't' }, listeners);
    await closed;
    expect(events.filter((event) => event.startsWith('close'))).toEqual(['close 1006 ']);
    expect(events[0]).toMatch(/^error /);
  });
});

describe('browserSocketFactory', () => {
  it('offers the codec and the token as subprotocols, leaves the URL alone, and adapts the standard events', () => {
    const created: FakeBrowserSocket[] = [];
    class FakeBrowserSocket implements BrowserWebSocketLike {
      onopen: BrowserWebSocketLike['onopen'] = null;
      onmessage: BrowserWebSocketLike['onmessage'] = null;
      onclose: BrowserWebSocketLike['onclose'] = null;
      onerror: BrowserWebSocketLike['onerror'] = null;
      binaryType = 'blob';
      readonly sent: (string | Uint8Array)[] = [];
      constructor(
        readonly url: string,
        readonly protocols?: string | string[],
      ) {
        created.push(this);
      }
      send(data: string | Uint8Array): void {
        this.sent.push(data);
      }
      close(): void {
        this.onclose?.({ code: 1000, reason: '' });
      }
    }
    const { listeners, events } = recorder();
    const socket = browserSocketFactory(FakeBrowserSocket)({ url: 'wss://chat.example/ws', token: 'a.b.c', subprotocol: 'chat.v1.protobuf' }, listeners);
    const fake = created[0] as FakeBrowserSocket;
    expect(fake.url).toBe('wss://chat.example/ws');
    expect([fake.protocols, fake.binaryType]).toEqual([['chat.v1.protobuf', 'chat.auth.a.b.c'], 'arraybuffer']);
    fake.onopen?.({});
    fake.onmessage?.({ data: '{"type":"pong"}' });
    fake.onmessage?.({ data: new Uint8Array([7, 8]).buffer });
    fake.onmessage?.({ data: { size: 2 } });
    socket.send('x');
    socket.send(new Uint8Array([9]));
    socket.close();
    expect(fake.sent).toEqual(['x', new Uint8Array([9])]);
    expect(events).toEqual(['open', 'message {"type":"pong"}', 'binary 7,8', 'error received a WebSocket message that is neither text nor an ArrayBuffer', 'close 1000 ']);
  });
});
