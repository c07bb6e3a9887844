import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { WebSocket } from 'ws';
import { accessTokenSettings, generateSigningKey, publicJwks, signAccessToken } from '@chat/auth-tokens';
import { KafkaConsumerFactory } from '@chat/kafka';
import { type ClientFrameInput, codecOfSubprotocol, JSON_CODEC, MAX_SERVER_FRAME_BYTES, presenceKey, PROTOBUF_CODEC, Topics, type ReplyTo, type ServerFrame, type WireCodec } from '@chat/protocol';
import { SERVICE_IDENTITY, type ServiceIdentity } from '@chat/service-kit';
import { telemetry } from '@chat/telemetry';
import { GatewayConfig } from '../config';
import { ConnectionRegistry } from '../connections/connection-registry';
import { ConnectionsModule } from '../connections/connections.module';
import { DeliverFrames } from '../delivery/deliver-frames.use-case';
import { RECORD_PUBLISHER } from '../publishing/record-publisher';
import { RevokedSessions, type Revocation } from '../sessions/revoked-sessions';
import { expectEventually } from '@chat/testing';
import { RecordingPublisher } from '../../test/recording-publisher';
import { configureGateway } from './gateway-ws-adapter';
import { SocketModule } from './socket.module';

/*
 * The WebSocket edge in process: a real Nest HTTP server with the gateway's socket, frame, presence
 * and delivery code, real `ws` clients, and Kafka replaced by a RecordingPublisher.
 */

jest.setTimeout(20_000);

/**
 * What stays real when a test fakes the clock: sockets need the event loop's own scheduling, and
 * expectEventually and ws use timeouts; the gateway's sweep interval and Date.now are faked.
 */
const FAKE_CLOCK: Parameters<typeof jest.useFakeTimers>[0] = {
  doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'hrtime', 'performance'],
};

@Module({})
class FakeServiceKitModule {
  static register(config: GatewayConfig, identity: ServiceIdentity, deliveryGroup: { joined: boolean }): DynamicModule {
    // The delivery consumer's state, as DeliveryState reads it from the consumers.
    const consumers: Pick<KafkaConsumerFactory, 'statusOf'> = {
      statusOf: (groupId) => ({ groupId, topics: [], joined: deliveryGroup.joined, assignment: {} }),
    };
    const providers = [
      { provide: GatewayConfig, useValue: config },
      { provide: SERVICE_IDENTITY, useValue: identity },
      { provide: KafkaConsumerFactory, useValue: consumers },
    ];
    return { module: FakeServiceKitModule, global: true, providers, exports: providers.map((p) => p.provide) };
  }
}

/** The revocations the gateway knows, set by the tests instead of read from `chat.sessions`. */
class FakeRevokedSessions implements Pick<RevokedSessions, 'loaded' | 'isRevoked' | 'onRevoked'> {
  loaded = true;
  private readonly revoked = new Set<string>();
  private readonly listeners: ((revocation: Revocation) => void)[] = [];

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  onRevoked(listener: (revocation: Revocation) => void): void {
    this.listeners.push(listener);
  }

  revoke(revocation: Revocation): void {
    this.revoked.add(revocation.sessionId);
    for (const listener of this.listeners) listener(revocation);
  }
}

interface RunningGateway {
  app: INestApplication;
  revokedSessions: FakeRevokedSessions;
  url: string;
  config: GatewayConfig;
  publisher: RecordingPublisher;
  deliver: DeliverFrames;
  /** Whether the delivery consumer is in its group (it is, unless a test says otherwise). */
  deliveryGroup: { joined: boolean };
  tokenFor(userId: string, ttlSeconds?: number, sessionId?: string): string;
}

/** Auth's key in these tests; the gateway gets its public half only. */
const signingKey = generateSigningKey('test-1');

async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = GatewayConfig.load({ KAFKA_BROKERS: '127.0.0.1:9', HTTP_PORT: '1', INSTANCE_ID: 'gw-test', JWT_PUBLIC_KEYS: publicJwks([signingKey]), ...env });
  const identity: ServiceIdentity = { service: 'gateway', instanceId: config.INSTANCE_ID, startedAt: Date.now() };
  const publisher = new RecordingPublisher();
  const deliveryGroup = { joined: true };
  const revokedSessions = new FakeRevokedSessions();
  const moduleRef = await Test.createTestingModule({
    imports: [FakeServiceKitModule.register(config, identity, deliveryGroup), SocketModule, ConnectionsModule],
    providers: [DeliverFrames],
  })
    .overrideProvider(RECORD_PUBLISHER)
    .useValue(publisher)
    .overrideProvider(RevokedSessions)
    .useValue(revokedSessions)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureGateway(app, config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const settings = { ...accessTokenSettings(config), signingKey };
  return {
    app,
    url: `ws://127.0.0.1:${port}/ws`,
    config,
    publisher,
    deliver: app.get(DeliverFrames),
    deliveryGroup,
    revokedSessions,
    tokenFor: (userId, ttlSeconds = 300, sessionId = undefined) => signAccessToken(settings, { userId, username: 'user_1', tokenId: randomUUID(), sessionId }, ttlSeconds),
  };
}

interface Closed {
  code: number;
  reason: string;
}

/** A `ws` client that collects the frames it receives, in the codec it negotiated (`subprotocols` offered; none: JSON). */
class TestClient {
  readonly frames: ServerFrame[] = [];
  /** Whether each received frame came as a binary message. */
  readonly binary: boolean[] = [];
  readonly closed: Promise<Closed>;
  readonly socket: WebSocket;

  /** `via`: where the token goes (Bearer header by default, the chat.auth.<token> subprotocol, or the URL). */
  constructor(url: string, options: { token?: string; via?: 'header' | 'subprotocol' | 'query'; origin?: string; autoPong?: boolean; subprotocols?: string[] } = {}) {
    const { token, via = 'header', origin, autoPong = true, subprotocols = [] } = options;
    const target = token && via === 'query' ? `${url}?access_token=${encodeURIComponent(token)}` : url;
    const offered = token && via === 'subprotocol' ? [...(subprotocols.length > 0 ? subprotocols : ['chat.v1.json']), `chat.auth.${token}`] : subprotocols;
    this.socket = new WebSocket(target, offered, { headers: token && via === 'header' ? { authorization: `Bearer ${token}` } : {}, origin, autoPong });
    this.socket.on('message', (data, isBinary) => {
      this.binary.push(isBinary);
      this.frames.push(this.codec.decodeServer(isBinary ? (data as Buffer) : data.toString(), MAX_SERVER_FRAME_BYTES));
    });
    this.closed = new Promise((resolve) => this.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.socket.on('error', () => undefined);
  }

  opened(): Promise<void> {
    if (this.socket.readyState === this.socket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('close', () => reject(new Error('closed before open')));
    });
  }

  /** The codec the server picked (known once open). */
  get codec(): WireCodec {
    return codecOfSubprotocol(this.socket.protocol) ?? JSON_CODEC;
  }

  /** Strings go as text frames, Buffers as binary frames, objects as JSON text (or, when negotiated, valid frames as Protobuf). */
  send(frame: object | string | Buffer): void {
    if (typeof frame === 'string' || Buffer.isBuffer(frame)) this.socket.send(frame);
    else if (this.codec === PROTOBUF_CODEC) this.socket.send(PROTOBUF_CODEC.encodeClient(frame as ClientFrameInput));
    else this.socket.send(JSON.stringify(frame));
  }

  /** Waits for a frame matching `match` and returns it. */
  async next(match: Partial<ServerFrame> & Record<string, unknown>): Promise<ServerFrame> {
    return expectEventually(() => {
      const found = this.frames.find((frame) => Object.entries(match).every(([key, value]) => (frame as Record<string, unknown>)[key] === value));
      if (!found) throw new Error(`no frame like ${JSON.stringify(match)} among ${JSON.stringify(this.frames).slice(0, 500)}`);
      return found;
    });
  }

  close(): Promise<Closed> {
    this.socket.close(1000);
    return this.closed;
  }
}

const clients: TestClient[] = [];
function client(url: string, options?: ConstructorParameters<typeof TestClient>[1]): TestClient {
  const created = new TestClient(url, options);
  clients.push(created);
  return created;
}

afterEach(() => {
  for (const created of clients.splice(0)) created.socket.terminate();
});

function replyToOf(publisher: RecordingPublisher, requestId: string): ReplyTo {
  // Writes go to chat.commands, reads (history, sync, list_conversations) to chat.queries.
  const record = [...publisher.on(Topics.commands.name), ...publisher.on(Topics.queries.name)].find((r) => (r.envelope?.payload as { replyTo?: ReplyTo }).replyTo?.requestId === requestId);
  if (!record) throw new Error(`no command for request ${requestId}`);
  return (record.envelope?.payload as { replyTo: ReplyTo }).replyTo;
}

/** This process' chat_messages_total by stage, and how many latency values each span got since the previous call. */
async function figures(): Promise<{ messages: Record<string, number>; spans: Record<string, number> }> {
  const sample = await telemetry.snapshotSample();
  const messages = Object.fromEntries(sample.counters.filter((c) => c.name === 'chat_messages_total').map((c) => [c.labels['stage'], c.value]));
  const spans = Object.fromEntries(sample.histograms.filter((h) => h.name === 'chat_latency_microseconds').map((h) => [h.labels['span'], h.count]));
  return { messages, spans };
}

describe('gateway WebSocket edge', () => {
  let gateway: RunningGateway;
  const alice = randomUUID();
  const bob = randomUUID();
  const conversationId = randomUUID();

  beforeAll(async () => {
    gateway = await startGateway();
  });

  afterAll(async () => {
    await gateway.app.close();
  });

  describe('authentication at the upgrade', () => {
    it('closes with 4001 without a token or with an invalid one', async () => {
      expect(await client(gateway.url).closed).toEqual({ code: 4001, reason: 'access token required' });
      expect(await client(gateway.url, { token: 'not.a.token' }).closed).toEqual({ code: 4001, reason: 'access token invalid' });
      // Signed by a key the gateway does not list, and by another key under the listed kid.
      for (const key of [generateSigningKey('other'), { kid: 'test-1', privateKey: generateSigningKey('x').privateKey }]) {
        const forged = signAccessToken({ ...accessTokenSettings(gateway.config), signingKey: key }, { userId: alice, username: 'mallory', tokenId: 'x' }, 60);
        expect(await client(gateway.url, { token: forged, via: 'subprotocol' }).closed).toEqual({ code: 4001, reason: 'access token invalid' });
      }
    });

    it('closes with 4002 for an expired token', async () => {
      const expired = gateway.tokenFor(alice, -10);
      expect(await client(gateway.url, { token: expired }).closed).toEqual({ code: 4002, reason: 'access token expired' });
    });

    it('accepts the token as a Bearer header or as the chat.auth.<token> subprotocol, answering with the codec only', async () => {
      for (const via of ['header', 'subprotocol'] as const) {
        const socket = client(gateway.url, { token: gateway.tokenFor(alice), via });
        await socket.opened();
        expect(socket.socket.protocol).toBe(via === 'subprotocol' ? 'chat.v1.json' : '');
        socket.send({ type: 'ping', id: `p-${via}` });
        expect(await socket.next({ type: 'pong' })).toEqual({ type: 'pong', replyTo: `p-${via}` });
      }
    });

    it('refuses a token in the URL with 4001, even next to a valid header', async () => {
      const reason = 'access token in the URL refused; offer it as subprotocol chat.auth.<token>';
      expect(await client(gateway.url, { token: gateway.tokenFor(alice), via: 'query' }).closed).toEqual({ code: 4001, reason });
      expect(await client(`${gateway.url}?access_token=x`, { token: gateway.tokenFor(alice) }).closed).toEqual({ code: 4001, reason });
    });

    it('refuses an offer of the token subprotocol without a codec with HTTP 400', async () => {
      const socket = new WebSocket(gateway.url, [`chat.auth.${gateway.tokenFor(alice)}`]);
      const status = await new Promise<number | undefined>((resolve) => {
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode));
        socket.on('error', () => resolve(undefined));
      });
      expect(status).toBe(400);
    });

    it('closes with 4002 when the token expires during the session', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice, 2) });
      await socket.opened();
      expect(await socket.closed).toEqual({ code: 4002, reason: 'access token expired' });
    });
  });

  describe('client frames', () => {
    it('answers a malformed frame with an error naming the field, and stays open', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice) });
      await socket.opened();
      socket.send({ type: 'send', id: 'bad-1', conversationId: 'not-a-uuid', clientMsgId: 'm-1', body: 'hi' });
      const error = await socket.next({ type: 'error', replyTo: 'bad-1' });
      expect(error).toMatchObject({ code: 'invalid_frame', message: expect.stringMatching(/^conversationId: /) });
      socket.send('{"type":"teleport","id":"bad-2"}');
      expect(await socket.next({ type: 'error', replyTo: 'bad-2' })).toMatchObject({ code: 'unknown_type' });
      socket.send(Buffer.from('{"type":"ping"}'));
      const binary = await socket.next({ type: 'error', message: 'frame: binary frames are not accepted; send JSON as a text frame' });
      expect(binary).toMatchObject({ code: 'invalid_frame' });
      socket.send({ type: 'ping', id: 'still-here' });
      await socket.next({ type: 'pong', replyTo: 'still-here' });
      expect(gateway.publisher.on(Topics.commands.name)).toEqual([]);
    });

    it('closes with 4008 after too many invalid frames in a row', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice) });
      await socket.opened();
      for (let i = 0; i < gateway.config.WS_MAX_INVALID_FRAMES; i += 1) socket.send('not json');
      expect(await socket.closed).toEqual({ code: 4008, reason: 'too many invalid frames' });
      expect(socket.frames.filter((frame) => frame.type === 'error')).toHaveLength(gateway.config.WS_MAX_INVALID_FRAMES);
    });

    it('answers frames over the rate limit with rate_limited, keeping the socket open', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice) });
      await socket.opened();
      const sent = gateway.config.WS_RATE_BURST + 10;
      for (let i = 0; i < sent; i += 1) socket.send({ type: 'ping', id: `r-${i}` });
      await expectEventually(() => expect(socket.frames).toHaveLength(sent));
      const limited = socket.frames.filter((frame) => frame.type === 'error');
      expect(limited.length).toBeGreaterThanOrEqual(5);
      expect(limited[0]).toMatchObject({ code: 'rate_limited', replyTo: expect.stringMatching(/^r-\d+$/) });
      expect(socket.frames.slice(0, gateway.config.WS_RATE_BURST).every((frame) => frame.type === 'pong')).toBe(true);
      // Tokens come back at the configured rate; the session goes on.
      await expectEventually(() => {
        socket.send({ type: 'ping', id: 'later' });
        expect(socket.frames.some((frame) => frame.type === 'pong' && frame.replyTo === 'later')).toBe(true);
      }, { intervalMs: 100 });
      expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('turns send into a command keyed by conversation, with the sender from the token, then answers accepted', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice) });
      await socket.opened();
      socket.send({ type: 'send', id: 'send-1', conversationId, clientMsgId: 'c-1', body: 'hello', senderId: bob });
      // An unknown key (here a forged sender) is refused outright.
      expect(await socket.next({ type: 'error', replyTo: 'send-1' })).toMatchObject({ code: 'invalid_frame', message: expect.stringMatching(/^senderId/) });

      const before = Date.now();
      socket.send({ type: 'send', id: 'send-2', conversationId, clientMsgId: 'c-1', body: 'hello' });
      expect(await socket.next({ type: 'accepted', replyTo: 'send-2' })).toEqual({ type: 'accepted', replyTo: 'send-2', conversationId, clientMsgId: 'c-1' });
      const [record] = gateway.publisher.on(Topics.commands.name);
      expect(record.key).toBe(conversationId);
      expect(record.envelope).toMatchObject({ type: 'chat.command.send-message', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(record.envelope?.occurredAt).toBeGreaterThanOrEqual(before);
      expect(record.envelope?.payload).toEqual({
        senderId: alice,
        conversationId,
        clientMsgId: 'c-1',
        body: 'hello',
        kind: 'text',
        replyTo: { gatewayId: 'gw-test', connectionId: expect.any(String), requestId: 'send-2' },
      });
    });

    it('counts a send as accepted once Kafka has it, with its send_to_accepted latency, and not when Kafka refuses it', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice) });
      await socket.opened();
      const before = await figures();
      socket.send({ type: 'send', id: 'count-1', conversationId, clientMsgId: 'count-1', body: 'one' });
      await socket.next({ type: 'accepted', replyTo: 'count-1' });
      gateway.publisher.failure = new Error('kafka produce not acknowledged');
      try {
        socket.send({ type: 'send', id: 'count-2', conversationId, clientMsgId: 'count-2', body: 'two' });
        await socket.next({ type: 'error', replyTo: 'count-2' });
      } finally {
        gateway.publisher.failure = null;
      }
      const after = await figures();
      expect(after.messages['accepted']).toBe((before.messages['accepted'] ?? 0) + 1);
      expect(after.spans).toEqual({ send_to_accepted: 1 });
    });

    it('answers unavailable when Kafka does not take the record', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice) });
      await socket.opened();
      gateway.publisher.failure = new Error('kafka produce not acknowledged');
      try {
        socket.send({ type: 'send', id: 'send-3', conversationId, clientMsgId: 'c-2', body: 'hello' });
        socket.send({ type: 'list_conversations', id: 'list-1' });
        expect(await socket.next({ type: 'error', replyTo: 'send-3' })).toMatchObject({ code: 'unavailable', message: expect.stringContaining('clientMsgId') });
        expect(await socket.next({ type: 'error', replyTo: 'list-1' })).toMatchObject({ code: 'unavailable' });
      } finally {
        gateway.publisher.failure = null;
      }
      expect(socket.frames.some((frame) => frame.type === 'accepted')).toBe(false);
    });

    it('sends typing straight to chat.typing and reads to chat.queries, without answering them itself', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(bob) });
      await socket.opened();
      socket.send({ type: 'typing', id: 'ty-1', conversationId, active: true });
      socket.send({ type: 'history', id: 'hi-1', conversationId });
      await expectEventually(() => expect(gateway.publisher.on(Topics.typing.name)).toHaveLength(1));
      expect(gateway.publisher.on(Topics.typing.name)[0]).toMatchObject({ key: conversationId, envelope: { type: 'chat.typing-changed', payload: { conversationId, userId: bob, active: true } } });
      await expectEventually(() => replyToOf(gateway.publisher, 'hi-1'));
      socket.send({ type: 'ping', id: 'after' });
      await socket.next({ type: 'pong', replyTo: 'after' });
      expect(socket.frames).toEqual([{ type: 'pong', replyTo: 'after' }]);
    });
  });

  describe('announcements', () => {
    const adminToken = (userId: string) => signAccessToken({ ...accessTokenSettings(gateway.config), signingKey }, { userId, username: 'admin_1', tokenId: randomUUID(), role: 'admin' }, 300);

    it("answers a non-administrator's announce with forbidden and publishes nothing", async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(randomUUID()) });
      await socket.opened();
      socket.send({ type: 'announce', id: 'an-1', body: 'Free pizza' });
      expect(await socket.next({ type: 'error', replyTo: 'an-1' })).toEqual({ type: 'error', replyTo: 'an-1', code: 'forbidden', message: 'only administrators may send announcements' });
      expect(gateway.publisher.on(Topics.commands.name).filter((record) => record.envelope?.type === 'chat.command.announce')).toEqual([]);
    });

    it("turns an administrator's announce into a command keyed by the sender, answered later by persistence", async () => {
      const admin = randomUUID();
      const socket = client(gateway.url, { token: adminToken(admin) });
      await socket.opened();
      socket.send({ type: 'announce', id: 'an-2', body: 'Maintenance at 22:00', expiresInSeconds: 600 });
      const replyTo = await expectEventually(() => replyToOf(gateway.publisher, 'an-2'));
      const record = gateway.publisher.on(Topics.commands.name).find((r) => r.envelope?.type === 'chat.command.announce');
      expect(record).toMatchObject({ key: admin, envelope: { payload: { senderId: admin, body: 'Maintenance at 22:00', expiresInSeconds: 600, replyTo } } });
      socket.send({ type: 'ping', id: 'after-announce' });
      await socket.next({ type: 'pong', replyTo: 'after-announce' });
      expect(socket.frames).toEqual([{ type: 'pong', replyTo: 'after-announce' }]);
    });

    it('writes a frame for everyone to every socket of the gateway', async () => {
      const sockets = [randomUUID(), randomUUID(), randomUUID()].map((userId) => client(gateway.url, { token: gateway.tokenFor(userId) }));
      await Promise.all(sockets.map((socket) => socket.opened()));
      // A pong proves the gateway registered the socket.
      for (const [i, socket] of sockets.entries()) {
        socket.send({ type: 'ping', id: `everyone-${i}` });
        await socket.next({ type: 'pong', replyTo: `everyone-${i}` });
      }
      const announcement: ServerFrame = { type: 'announcement', announcementId: randomUUID(), senderId: randomUUID(), body: 'Hello, everyone', sentAt: 1, expiresAt: 60_001 };
      expect(gateway.deliver.execute({ target: { everyone: true }, frames: [announcement] })).toBeGreaterThanOrEqual(sockets.length);
      for (const socket of sockets) expect(await socket.next({ type: 'announcement' })).toEqual(announcement);
    });
  });

  describe('codecs (Sec-WebSocket-Protocol)', () => {
    it('speaks JSON to a client that offers no subprotocol or chat.v1.json, and answers with the one it picked', async () => {
      const plain = client(gateway.url, { token: gateway.tokenFor(alice) });
      const json = client(gateway.url, { token: gateway.tokenFor(alice), subprotocols: ['chat.v1.json'] });
      await Promise.all([plain.opened(), json.opened()]);
      expect([plain.socket.protocol, json.socket.protocol]).toEqual(['', 'chat.v1.json']);
      for (const socket of [plain, json]) socket.send({ type: 'ping', id: 'json-ping' });
      expect(await plain.next({ type: 'pong' })).toEqual({ type: 'pong', replyTo: 'json-ping' });
      expect(await json.next({ type: 'pong' })).toEqual({ type: 'pong', replyTo: 'json-ping' });
      expect([...plain.binary, ...json.binary]).toEqual([false, false]);
    });

    it('speaks Protobuf in binary frames to a client that asks for it, first supported offer wins', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice), subprotocols: ['chat.v2.cbor', 'chat.v1.protobuf', 'chat.v1.json'] });
      await socket.opened();
      expect(socket.socket.protocol).toBe('chat.v1.protobuf');
      socket.send({ type: 'ping', id: 'proto-ping' });
      expect(await socket.next({ type: 'pong' })).toEqual({ type: 'pong', replyTo: 'proto-ping' });
      socket.send({ type: 'send', id: 'proto-send', conversationId, clientMsgId: 'proto-1', body: 'über binary' });
      expect(await socket.next({ type: 'accepted', replyTo: 'proto-send' })).toEqual({ type: 'accepted', replyTo: 'proto-send', conversationId, clientMsgId: 'proto-1' });
      expect(replyToOf(gateway.publisher, 'proto-send').requestId).toBe('proto-send');
      expect(socket.binary).toEqual([true, true]);
    });

    it('refuses bad Protobuf frames as JSON refuses bad JSON: an error naming the field, answered in Protobuf', async () => {
      const socket = client(gateway.url, { token: gateway.tokenFor(alice), subprotocols: ['chat.v1.protobuf'] });
      await socket.opened();
      // What a broken client would write, field by field (ClientFrame.send = 1; SendFrame: id, conversation_id, client_msg_id, body).
      const bytes = WireType.LengthDelimited;
      const send = new BinaryWriter().tag(1, bytes).string('proto-bad').tag(2, bytes).string('not-a-uuid').tag(3, bytes).string('m').tag(4, bytes).string('hi').finish();
      socket.send(Buffer.from(new BinaryWriter().tag(1, bytes).bytes(send).finish()));
      expect(await socket.next({ type: 'error', replyTo: 'proto-bad' })).toMatchObject({ code: 'invalid_frame', message: expect.stringMatching(/^conversationId: /) });
      socket.send('{"type":"ping","id":"as-text"}');
      expect(await socket.next({ type: 'error', message: 'frame: text frames are not accepted; send Protobuf as a binary frame' })).toMatchObject({ code: 'invalid_frame' });
      socket.send(Buffer.from([0xff, 0xff]));
      expect(await socket.next({ type: 'error', message: 'frame: not a Protobuf chat.v1.ClientFrame' })).toMatchObject({ code: 'invalid_frame' });
      expect(socket.binary.every(Boolean)).toBe(true);
    });

    it('fans a frame out to JSON and Protobuf sockets alike, each in its own codec', async () => {
      const frank = randomUUID();
      const json = client(gateway.url, { token: gateway.tokenFor(frank) });
      const protobuf = client(gateway.url, { token: gateway.tokenFor(frank), subprotocols: ['chat.v1.protobuf'] });
      const protobufToo = client(gateway.url, { token: gateway.tokenFor(frank), subprotocols: ['chat.v1.protobuf'] });
      await Promise.all([json.opened(), protobuf.opened(), protobufToo.opened()]);
      const message: ServerFrame = { type: 'message', conversationId, seq: 2 ** 40, messageId: randomUUID(), senderId: alice, clientMsgId: 'fan-1', body: 'to all', kind: 'text', sentAt: Date.now(), storedAt: Date.now() };
      await expectEventually(() => expect(gateway.deliver.execute({ target: { userIds: [frank] }, frames: [message] })).toBe(3));
      for (const socket of [json, protobuf, protobufToo]) expect(await socket.next({ type: 'message' })).toEqual(message);
      expect([json.binary, protobuf.binary, protobufToo.binary]).toEqual([[false], [true], [true]]);
    });

    it('refuses an upgrade that offers only unsupported subprotocols with HTTP 400 naming the supported ones', async () => {
      const socket = new WebSocket(gateway.url, ['chat.v2.cbor', 'mqtt'], { headers: { authorization: `Bearer ${gateway.tokenFor(alice)}` } });
      const refusal = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
        socket.on('open', () => reject(new Error('upgraded')));
        socket.on('error', () => undefined);
        socket.on('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, body }));
        });
      });
      expect(refusal).toEqual({ status: 400, body: 'unsupported WebSocket subprotocol; supported: chat.v1.json, chat.v1.protobuf' });
    });
  });

  describe('delivery and presence', () => {
    it('writes a routed frame to every device of its users, and an answer to its one socket', async () => {
      const carol = randomUUID();
      const dave = randomUUID();
      const phone = client(gateway.url, { token: gateway.tokenFor(carol) });
      const laptop = client(gateway.url, { token: gateway.tokenFor(carol) });
      const other = client(gateway.url, { token: gateway.tokenFor(dave) });
      await Promise.all([phone.opened(), laptop.opened(), other.opened()]);

      const typing: ServerFrame = { type: 'typing', conversationId, userId: dave, active: true };
      await expectEventually(() => expect(gateway.deliver.execute({ target: { userIds: [carol, randomUUID()] }, frames: [typing] })).toBe(2));
      expect(await phone.next({ type: 'typing' })).toEqual(typing);
      expect(await laptop.next({ type: 'typing' })).toEqual(typing);

      laptop.send({ type: 'list_conversations', id: 'list-2' });
      const replyTo = await expectEventually(() => replyToOf(gateway.publisher, 'list-2'));
      const answer: ServerFrame = { type: 'conversations', replyTo: 'list-2', items: [] };
      expect(gateway.deliver.execute({ target: { connectionId: replyTo.connectionId }, frames: [answer] })).toBe(1);
      expect(await laptop.next({ type: 'conversations' })).toEqual(answer);

      // Frames for sockets that are not here are dropped.
      expect(gateway.deliver.execute({ target: { connectionId: randomUUID() }, frames: [answer] })).toBe(0);
      expect(gateway.deliver.execute({ target: { userIds: [randomUUID()] }, frames: [typing] })).toBe(0);
      await laptop.next({ type: 'conversations' });
      expect(phone.frames).toEqual([typing]);
      expect(other.frames).toEqual([]);
    });

    it('writes several answers to the one socket that asked, one frame each, in order', async () => {
      const erin = randomUUID();
      const asking = client(gateway.url, { token: gateway.tokenFor(erin) });
      const sibling = client(gateway.url, { token: gateway.tokenFor(erin) });
      await Promise.all([asking.opened(), sibling.opened()]);
      asking.send({ type: 'sync', id: 'sync-1', conversations: [{ conversationId, afterSeq: 0 }] });
      const replyTo = await expectEventually(() => replyToOf(gateway.publisher, 'sync-1'));
      const messages: ServerFrame[] = [1, 2, 3].map((seq) => ({
        type: 'message',
        conversationId,
        seq,
        messageId: randomUUID(),
        senderId: alice,
        clientMsgId: `m${seq}`,
        body: `body ${seq}`,
        kind: 'text',
        sentAt: 1,
        storedAt: 2,
      }));
      const synced: ServerFrame = { type: 'synced', replyTo: 'sync-1', conversations: [{ conversationId, lastSeq: 3 }] };
      const frames = [...messages, synced];
      expect(gateway.deliver.execute({ target: { connectionId: replyTo.connectionId }, frames })).toBe(4);
      await asking.next({ type: 'synced' });
      expect(asking.frames).toEqual(frames);
      expect(gateway.deliver.execute({ target: { connectionId: randomUUID() }, frames })).toBe(0);
      expect(sibling.frames).toEqual([]);
    });

    it("counts a message delivered to each recipient socket and echoed to the sender's sockets, with one latency value per recipient socket", async () => {
      const sender = randomUUID();
      const recipient = randomUUID();
      const sockets = [client(gateway.url, { token: gateway.tokenFor(sender) }), client(gateway.url, { token: gateway.tokenFor(sender) }), client(gateway.url, { token: gateway.tokenFor(recipient) })];
      await Promise.all(sockets.map((socket) => socket.opened()));
      // A pong proves the gateway registered the socket.
      for (const [i, socket] of sockets.entries()) {
        socket.send({ type: 'ping', id: `registered-${i}` });
        await socket.next({ type: 'pong', replyTo: `registered-${i}` });
      }
      const before = await figures();
      const now = Date.now();
      const message: ServerFrame = { type: 'message', conversationId, seq: 1, messageId: randomUUID(), senderId: sender, clientMsgId: 'm-1', body: 'hi', kind: 'text', sentAt: now - 30, storedAt: now - 10 };

      expect(gateway.deliver.execute({ target: { userIds: [sender, recipient] }, frames: [message] })).toBe(3);
      // A sync's answer to one socket is catching up, not live delivery.
      sockets[2].send({ type: 'list_conversations', id: 'which-socket' });
      const { connectionId } = await expectEventually(() => replyToOf(gateway.publisher, 'which-socket'));
      expect(gateway.deliver.execute({ target: { connectionId }, frames: [message] })).toBe(1);

      const after = await figures();
      expect(after.messages['delivered']).toBe((before.messages['delivered'] ?? 0) + 1);
      expect(after.messages['echoed']).toBe((before.messages['echoed'] ?? 0) + 2);
      expect(after.spans).toEqual({ stored_to_delivered: 1, send_to_delivered: 1 });
    });

    it("publishes a user's connection count, and a tombstone once the last socket closed", async () => {
      const erin = randomUUID();
      const key = presenceKey('gw-test', erin);
      const latest = () => gateway.publisher.on(Topics.presence.name).filter((record) => record.key === key).at(-1);
      const first = client(gateway.url, { token: gateway.tokenFor(erin) });
      const second = client(gateway.url, { token: gateway.tokenFor(erin) });
      await Promise.all([first.opened(), second.opened()]);
      await expectEventually(() => expect(latest()?.envelope?.payload).toMatchObject({ gatewayId: 'gw-test', userId: erin, connections: 2 }));
      await first.close();
      await expectEventually(() => expect(latest()?.envelope?.payload).toMatchObject({ connections: 1 }));
      await second.close();
      await expectEventually(() => expect(latest()).toEqual({ topic: Topics.presence.name, key, envelope: null }));
    });

    it('closes a client that does not read with 4005 once its backlog exceeds the limit', async () => {
      const frank = randomUUID();
      const slow = client(gateway.url, { token: gateway.tokenFor(frank) });
      await slow.opened();
      slow.socket.pause();
      const message: ServerFrame = {
        type: 'message',
        conversationId,
        seq: 1,
        messageId: randomUUID(),
        senderId: alice,
        clientMsgId: 'big',
        body: 'x'.repeat(4000),
        kind: 'text',
        sentAt: 1,
        storedAt: 2,
      };
      let written = 0;
      for (let i = 0; i < 20_000; i += 1) {
        if (gateway.deliver.execute({ target: { userIds: [frank] }, frames: [message] }) === 0) break;
        written += 1;
      }
      expect(written).toBeLessThan(20_000);
      slow.socket.resume();
      expect(await slow.closed).toEqual({ code: 4005, reason: 'send buffer full; reconnect and sync' });
    });
  });
});

describe('gateway WebSocket limits', () => {
  let gateway: RunningGateway;
  const user = randomUUID();

  beforeAll(async () => {
    gateway = await startGateway({
      INSTANCE_ID: 'gw-limits',
      WS_MAX_CONNECTIONS: '2',
      WS_MAX_FRAME_BYTES: '1024',
      ALLOWED_ORIGINS: 'https://chat.example.com',
    });
  });

  afterAll(async () => {
    await gateway.app.close();
  });

  it('closes a page from another origin with 4003, and lets listed origins and non-browsers in', async () => {
    expect(await client(gateway.url, { token: gateway.tokenFor(user), origin: 'https://evil.example' }).closed).toEqual({ code: 4003, reason: 'origin not allowed' });
    const listed = client(gateway.url, { token: gateway.tokenFor(user), origin: 'https://chat.example.com' });
    await listed.opened();
    await listed.close();
    const native = client(gateway.url, { token: gateway.tokenFor(user) });
    await native.opened();
    await native.close();
  });

  it('refuses new sockets with 1013 while its delivery consumer is not in its group, and accepts them again after', async () => {
    gateway.deliveryGroup.joined = false;
    try {
      expect((await client(gateway.url, { token: gateway.tokenFor(user) }).closed).code).toBe(1013);
    } finally {
      gateway.deliveryGroup.joined = true;
    }
    const again = client(gateway.url, { token: gateway.tokenFor(user) });
    await again.opened();
    await again.close();
  });

  it('closes a frame over the size limit with 1009', async () => {
    const socket = client(gateway.url, { token: gateway.tokenFor(user) });
    await socket.opened();
    socket.send({ type: 'send', id: 'big', conversationId: randomUUID(), clientMsgId: 'm', body: 'y'.repeat(2000) });
    expect((await socket.closed).code).toBe(1009);
  });

  it('refuses connections beyond the limit with 1013 and leaves the others alone', async () => {
    const first = client(gateway.url, { token: gateway.tokenFor(user) });
    const second = client(gateway.url, { token: gateway.tokenFor(user) });
    await Promise.all([first.opened(), second.opened()]);
    expect(await client(gateway.url, { token: gateway.tokenFor(user) }).closed).toEqual({ code: 1013, reason: 'server full; retry later' });
    first.send({ type: 'ping', id: 'one' });
    second.send({ type: 'ping', id: 'two' });
    await first.next({ type: 'pong', replyTo: 'one' });
    await second.next({ type: 'pong', replyTo: 'two' });
    await Promise.all([first.close(), second.close()]);
  });

});

describe('gateway connections per user', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway({ INSTANCE_ID: 'gw-per-user', WS_MAX_CONNECTIONS_PER_USER: '2' });
  });

  afterAll(async () => {
    await gateway.app.close();
  });

  it("closes a user's socket beyond the per-user limit with 4009, not the server-full 1013, and lets other users in", async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const first = client(gateway.url, { token: gateway.tokenFor(ann) });
    const second = client(gateway.url, { token: gateway.tokenFor(ann) });
    await Promise.all([first.opened(), second.opened()]);
    expect(await client(gateway.url, { token: gateway.tokenFor(ann) }).closed).toEqual({
      code: 4009,
      reason: 'too many connections for this user (at most 2); close another first',
    });
    const other = client(gateway.url, { token: gateway.tokenFor(bob) });
    await other.opened();

    // Once one of hers has closed, she may open another.
    await first.close();
    await expectEventually(() => expect(gateway.app.get(ConnectionRegistry).connectionsOf(ann).size).toBe(1));
    const again = client(gateway.url, { token: gateway.tokenFor(ann) });
    await again.opened();
    await Promise.all([second.close(), other.close(), again.close()]);
  });
});

describe('gateway sessions', () => {
  let gateway: RunningGateway;

  beforeEach(async () => {
    gateway = await startGateway({ INSTANCE_ID: 'gw-sessions', WS_MAX_CONNECTIONS_PER_USER: '5' });
  });

  afterEach(async () => {
    await gateway.app.close();
  });

  it("asks the router for each socket's session frame with the limits that apply to it", async () => {
    const [ann, sessionId] = [randomUUID(), randomUUID()];
    const socket = client(gateway.url, { token: gateway.tokenFor(ann, 300, sessionId) });
    await socket.opened();
    const connectionId = [...gateway.app.get(ConnectionRegistry).connectionsOf(ann)][0].id;
    const record = await expectEventually(() => {
      const found = gateway.publisher.on(Topics.presence.name).find((r) => r.key === presenceKey('gw-sessions', ann));
      if (!found) throw new Error('no presence record yet');
      return found;
    });
    expect(record.envelope?.payload).toMatchObject({
      connections: 1,
      openedSessions: [
        {
          connectionId,
          sessionId,
          heartbeatIntervalMs: gateway.config.WS_PING_INTERVAL_MS,
          idleTimeoutMs: gateway.config.WS_IDLE_TIMEOUT_MS,
          limits: { maxFrameBytes: gateway.config.WS_MAX_FRAME_BYTES, framesPerSecond: gateway.config.WS_RATE_PER_SECOND, frameBurst: gateway.config.WS_RATE_BURST, maxConnectionsPerUser: 5 },
        },
      ],
    });
  });

  it('closes the sockets of a revoked session with 4004, keeps the same user\'s other sessions, and refuses its tokens', async () => {
    const [ann, phone, laptop] = [randomUUID(), randomUUID(), randomUUID()];
    const onPhone = [client(gateway.url, { token: gateway.tokenFor(ann, 300, phone) }), client(gateway.url, { token: gateway.tokenFor(ann, 300, phone) })];
    const onLaptop = client(gateway.url, { token: gateway.tokenFor(ann, 300, laptop) });
    await Promise.all([...onPhone, onLaptop].map((socket) => socket.opened()));

    gateway.revokedSessions.revoke({ sessionId: phone, userId: ann, reason: 'logout' });
    for (const socket of onPhone) expect(await socket.closed).toEqual({ code: 4004, reason: 'session ended (logout); log in again' });
    onLaptop.send({ type: 'ping', id: 'laptop' });
    await onLaptop.next({ type: 'pong', replyTo: 'laptop' });

    // A token of the ended session no longer opens a socket, even one that has not expired.
    expect(await client(gateway.url, { token: gateway.tokenFor(ann, 300, phone) }).closed).toEqual({ code: 4004, reason: 'session ended; log in again' });
  });

  it('admits nobody (1013) until the revoked sessions are loaded', async () => {
    gateway.revokedSessions.loaded = false;
    expect(await client(gateway.url, { token: gateway.tokenFor(randomUUID()) }).closed).toEqual({ code: 1013, reason: 'gateway not ready; retry shortly' });
    gateway.revokedSessions.loaded = true;
    await client(gateway.url, { token: gateway.tokenFor(randomUUID()) }).opened();
  });
});

describe('gateway heartbeat', () => {
  let gateway: RunningGateway;

  beforeEach(async () => {
    // The sweep's interval and the clock it reads are fake (FAKE_CLOCK).
    jest.useFakeTimers(FAKE_CLOCK);
    gateway = await startGateway({ INSTANCE_ID: 'gw-heartbeat', WS_PING_INTERVAL_MS: '1000', WS_IDLE_TIMEOUT_MS: '2000' });
  });

  afterEach(async () => {
    await gateway.app.close();
    jest.useRealTimers();
  });

  it('closes a client that answers no ping with 4000, and keeps one that does', async () => {
    const [silentUser, aliveUser] = [randomUUID(), randomUUID()];
    const silent = client(gateway.url, { token: gateway.tokenFor(silentUser), autoPong: false });
    const alive = client(gateway.url, { token: gateway.tokenFor(aliveUser) });
    await Promise.all([silent.opened(), alive.opened()]);
    const registry: ConnectionRegistry = gateway.app.get(ConnectionRegistry);
    const connectionOf = (userId: string) => registry.all().find((connection) => connection.userId === userId);
    await expectEventually(() => expect([connectionOf(silentUser), connectionOf(aliveUser)]).toEqual([expect.anything(), expect.anything()]));

    // First sweep: both silent for one interval, under the timeout: pinged.
    const aliveWasPinged = new Promise((resolve) => alive.socket.once('ping', resolve));
    jest.advanceTimersByTime(1000);
    await aliveWasPinged;
    // The fake clock stands still, so a pong (ws answers the ping by itself) makes the socket silent for 0 ms.
    await expectEventually(() => expect(connectionOf(aliveUser)?.silentFor(Date.now())).toBe(0));
    expect(connectionOf(silentUser)?.silentFor(Date.now())).toBe(1000);

    // Second sweep: the silent one reached the timeout; the other answered and is pinged again.
    jest.advanceTimersByTime(1000);
    expect(await silent.closed).toEqual({ code: 4000, reason: 'no pong or frame in time' });
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    await alive.close();
  });
});

describe('gateway handshake rate limit', () => {
  let gateway: RunningGateway;
  const user = randomUUID();

  beforeAll(async () => {
    // The bucket refills by the clock: a fake one, so the test does not wait for a real second.
    jest.useFakeTimers(FAKE_CLOCK);
    gateway = await startGateway({ INSTANCE_ID: 'gw-handshakes', WS_MAX_HANDSHAKES_PER_SECOND: '1', WS_HANDSHAKE_BURST: '2' });
  });

  afterAll(async () => {
    await gateway.app.close();
    jest.useRealTimers();
  });

  it('spends the handshake budget only on sockets that pass the token check, refuses beyond the burst with 1013, and admits again once the bucket refilled', async () => {
    // Junk first, more than the burst: refused for what it is, and the budget is still whole for real users.
    const junk = await Promise.all(Array.from({ length: 5 }, () => client(gateway.url, { token: 'not-a-token' }).closed));
    expect(junk.map((closed) => closed.code)).toEqual([4001, 4001, 4001, 4001, 4001]);
    const first = client(gateway.url, { token: gateway.tokenFor(user) });
    const second = client(gateway.url, { token: gateway.tokenFor(user) });
    await Promise.all([first.opened(), second.opened()]);
    expect(await client(gateway.url, { token: gateway.tokenFor(user) }).closed).toEqual({ code: 1013, reason: 'too many connection attempts; retry later' });
    first.send({ type: 'ping', id: 'still-here' });
    await first.next({ type: 'pong', replyTo: 'still-here' });
    // One handshake a second: a retry a second later gets in.
    jest.advanceTimersByTime(1000);
    const retry = client(gateway.url, { token: gateway.tokenFor(user) });
    await retry.opened();
    await retry.close();
  });
});

describe('gateway lease lapse', () => {
  let gateway: RunningGateway;

  beforeEach(async () => {
    // The lease renews on a (fake) interval of ttl/3 = 1 s and judges the gap by the (fake) clock.
    jest.useFakeTimers(FAKE_CLOCK);
    gateway = await startGateway({ INSTANCE_ID: 'gw-lapse', GATEWAY_LEASE_TTL_MS: '3000' });
  });

  afterEach(async () => {
    await gateway.app.close();
    jest.useRealTimers();
  });

  it('closes every socket with 1001 once the lease is renewed after a lapse, and records each user offline', async () => {
    const [ann, ben] = [randomUUID(), randomUUID()];
    const sockets = [client(gateway.url, { token: gateway.tokenFor(ann) }), client(gateway.url, { token: gateway.tokenFor(ann) }), client(gateway.url, { token: gateway.tokenFor(ben) })];
    await Promise.all(sockets.map((socket) => socket.opened()));
    const registry: ConnectionRegistry = gateway.app.get(ConnectionRegistry);
    await expectEventually(() => expect(registry.size).toBe(3));
    const renewals = () => gateway.publisher.on(Topics.gateways.name).length;
    await expectEventually(() => expect(renewals()).toBe(1));
    await expectEventually(() => expect(new Set(gateway.publisher.on(Topics.presence.name).map((record) => record.key)).size).toBe(2));

    // Kafka away for 4 s (> 5/6 of the 3 s ttl): the renewals fail, the sockets stay open meanwhile.
    gateway.publisher.failure = new Error('broker unavailable');
    await jest.advanceTimersByTimeAsync(4000);
    expect(renewals()).toBe(1);
    expect(registry.size).toBe(3);
    for (const socket of sockets) expect(socket.socket.readyState).toBe(WebSocket.OPEN);

    // Kafka back: the next renewal goes through, and every socket is told to reconnect and catch up.
    gateway.publisher.failure = null;
    const presenceBefore = gateway.publisher.on(Topics.presence.name).length;
    await jest.advanceTimersByTimeAsync(1000);
    expect(renewals()).toBe(2);
    for (const socket of sockets) expect(await socket.closed).toEqual({ code: 1001, reason: 'gateway lost contact with Kafka; reconnect to catch up' });
    expect(registry.size).toBe(0);
    const offline = await expectEventually(() => {
      const records = gateway.publisher.on(Topics.presence.name).slice(presenceBefore);
      expect(records.map((record) => record.key).sort()).toEqual([presenceKey('gw-lapse', ann), presenceKey('gw-lapse', ben)].sort());
      return records;
    });
    expect(offline.map((record) => record.envelope)).toEqual([null, null]);

    // The gateway admits clients again at once.
    const again = client(gateway.url, { token: gateway.tokenFor(ann) });
    await again.opened();
    await again.close();
  });
});

describe('gateway shutdown', () => {
  it('closes every socket with 1001, then tombstones its presence and its lease', async () => {
    const gateway = await startGateway({ INSTANCE_ID: 'gw-shutdown' });
    const user = randomUUID();
    const sockets = [client(gateway.url, { token: gateway.tokenFor(user) }), client(gateway.url, { token: gateway.tokenFor(randomUUID()) })];
    await Promise.all(sockets.map((socket) => socket.opened()));
    await expectEventually(() => expect(gateway.publisher.on(Topics.presence.name)).toHaveLength(2));

    await gateway.app.close();
    for (const socket of sockets) expect(await socket.closed).toEqual({ code: 1001, reason: 'server shutting down; reconnect' });
    const presence = gateway.publisher.on(Topics.presence.name);
    expect(presence.slice(2).map((record) => record.envelope)).toEqual([null, null]);
    expect(gateway.publisher.records.at(-1)).toEqual({ topic: Topics.gateways.name, key: 'gw-shutdown', envelope: null });
  });
});
