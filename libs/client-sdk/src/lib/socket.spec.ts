import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { nodeSocketFactory } from './node-socket';
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
      onMessage: (data) => events.push(`message ${data}`),
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
  const seen: { authorization?: string; frames: string[] } = { frames: [] };

  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    server.on('connection', (socket, request) => {
      seen.authorization = request.headers.authorization;
      socket.on('message', (data) => {
        seen.frames.push(String(data));
        if (String(data) === 'bye') socket.close(4002, 'token_expired');
        else socket.send(`echo ${String(data)}`);
      });
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the token as a Bearer header, exchanges text frames and reports the close code', async () => {
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
    expect(seen.authorization).toBe('Bearer tok-1');
    expect(events).toEqual(['open', 'message echo hello', 'close 4002 token_expired']);
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
  it('puts the token in the access_token query parameter and adapts the standard events', () => {
    const created: FakeBrowserSocket[] = [];
    class FakeBrowserSocket implements BrowserWebSocketLike {
      onopen: BrowserWebSocketLike['onopen'] = null;
      onmessage: BrowserWebSocketLike['onmessage'] = null;
      onclose: BrowserWebSocketLike['onclose'] = null;
      onerror: BrowserWebSocketLike['onerror'] = null;
      readonly sent: string[] = [];
      constructor(readonly url: string) {
        created.push(this);
      }
      send(data: string): void {
        this.sent.push(data);
      }
      close(): void {
        this.onclose?.({ code: 1000, reason: '' });
      }
    }
    const { listeners, events } = recorder();
    const socket = browserSocketFactory(FakeBrowserSocket)({ url: 'wss://chat.example/ws', token: 'a.b.c' }, listeners);
    const fake = created[0] as FakeBrowserSocket;
    expect(fake.url).toBe('wss://chat.example/ws?access_token=a.b.c');
    fake.onopen?.({});
    fake.onmessage?.({ data: '{"type":"pong"}' });
    fake.onmessage?.({ data: new ArrayBuffer(2) });
    socket.send('x');
    socket.close();
    expect(fake.sent).toEqual(['x']);
    expect(events).toEqual(['open', 'message {"type":"pong"}', 'error received a binary frame; the chat protocol uses text frames only', 'close 1000 ']);
  });
});
