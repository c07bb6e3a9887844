import { CloseCodes } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, useChatUsers } from './support/chat-users';
import { FrameSocket } from './support/fuzz-socket';
import { healthOf, metricValue, StalledReader } from './support/overload-health';

/*
 * Overload at the edge, against the real services. Gateway 0 has small limits: 20 sockets, 4 KiB
 * frames, 10 frames/s (burst 20) per socket and a 64 KiB send backlog; its pings are slow so that
 * only the backlog can end a socket that stops reading. Gateway 1 has default limits and carries
 * the flood that a stalled reader on gateway 0 is sent. Each test ends with everyone else still
 * served and every process alive and ready.
 */

const MAX_CONNECTIONS = 20;
const MAX_FRAME_BYTES = 4096;
const RATE_PER_SECOND = 10;
const RATE_BURST = 20;
const MAX_BUFFERED_BYTES = 64 * 1024;
const HANDSHAKES_PER_SECOND = 5;

const suite = useChatSuite({
  label: 'overload',
  gateways: [
    {
      env: {
        WS_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        WS_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
        WS_RATE_PER_SECOND: String(RATE_PER_SECOND),
        WS_RATE_BURST: String(RATE_BURST),
        WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
        WS_PING_INTERVAL_MS: '60000',
        WS_IDLE_TIMEOUT_MS: '120000',
      },
    },
    { env: { WS_RATE_PER_SECOND: '10000', WS_RATE_BURST: '100000' } },
    // Gateway 2 admits few new sockets a second, like a gateway facing a reconnect storm.
    { env: { WS_MAX_HANDSHAKES_PER_SECOND: String(HANDSHAKES_PER_SECOND), WS_HANDSHAKE_BURST: String(HANDSHAKES_PER_SECOND) } },
  ],
});
const users = useChatUsers(suite);

const sockets: FrameSocket[] = [];
afterEach(async () => {
  const open = sockets.splice(0);
  for (const socket of open) socket.close();
  await Promise.all(open.map((socket) => socket.closed));
  // The next test counts sockets on gateway 0 from zero.
  await expectEventually(async () => expect(await metricValue(suite().gateway(0), 'chat_connections')).toBe(0));
});

function frameSocket(token: string, gateway = 0): FrameSocket {
  const socket = new FrameSocket(suite().gatewayUrl(gateway), { token });
  sockets.push(socket);
  return socket;
}

async function everyoneHealthy(): Promise<void> {
  const s = suite();
  const services = { gateway0: s.gateway(0), gateway1: s.gateway(1), router: s.process('router'), persistence: s.process('persistence'), auth: s.process('auth'), metrics: s.process('metrics') };
  const healthy = Object.fromEntries(Object.keys(services).map((name) => [name, { exited: false, ready: 200 }]));
  expect(await healthOf(services)).toEqual(healthy);
}

/** A direct chat of two fresh users on gateway 0, and a way to prove it still carries messages. */
async function directChat(prefix: string): Promise<{ a: TestDevice; b: TestDevice; conversationId: string; exchange: (body: string) => Promise<void> }> {
  const [alice, bob] = await users.registerMany(2, prefix);
  if (!alice || !bob) throw new Error('registration failed');
  const a = await users.connect(alice);
  const b = await users.connect(bob);
  const conversationId = (await a.client.openDirect(bob.userId)).conversationId;
  await expectEventually(() => expect(b.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId));
  const exchange = async (body: string): Promise<void> => {
    await a.client.sendAndWaitStored(conversationId, body);
    await expectEventually(() => expect(b.seen(conversationId).map(([, seen]) => seen)).toContain(body));
  };
  return { a, b, conversationId, exchange };
}

describe('overload, end to end', () => {
  it('refuses connections beyond the limit with 1013 while the admitted ones keep working', async () => {
    const chat = await directChat('full');
    const extra = await users.register('full-extra');
    const token = extra.session.accessToken;
    const open = MAX_CONNECTIONS - (await metricValue(suite().gateway(0), 'chat_connections'));
    const admitted = Array.from({ length: open }, () => frameSocket(token));
    await Promise.all(admitted.map((socket) => socket.open()));

    const refused = Array.from({ length: 5 }, () => frameSocket(token));
    const closes = await Promise.all(refused.map((socket) => socket.closed));
    expect(closes).toEqual(refused.map(() => ({ code: CloseCodes.try_again_later.code, reason: 'server full; retry later' })));

    // Every admitted socket still answers, and the chat on the full gateway goes on.
    await Promise.all(admitted.map((socket, index) => socket.roundTrip(`full-${index}`)));
    await chat.exchange('still room for words');
    expect(await metricValue(suite().gateway(0), 'chat_connections')).toBe(MAX_CONNECTIONS);

    // A freed slot is taken again.
    admitted[0]?.close();
    await admitted[0]?.closed;
    await expectEventually(async () => expect(await metricValue(suite().gateway(0), 'chat_connections')).toBe(MAX_CONNECTIONS - 1));
    const late = frameSocket(token);
    await late.open();
    await late.roundTrip('late');
    await everyoneHealthy();
  });

  it('answers a flood above the rate limit with rate_limited and keeps the socket open and usable', async () => {
    const chat = await directChat('flood');
    const flooder = frameSocket(chat.a.user.session.accessToken);
    await flooder.open();
    const pings = 3 * RATE_BURST;
    for (let i = 0; i < pings; i += 1) flooder.sendFrame({ type: 'ping', id: `flood-${i}` });
    await flooder.waitFor((frame) => (frame.type === 'error' || frame.type === 'pong') && frame.replyTo === `flood-${pings - 1}`);
    const limited = flooder.frames.filter((frame) => frame.type === 'error' && frame.code === 'rate_limited');
    const answered = flooder.frames.filter((frame) => frame.type === 'pong');
    expect(limited.length + answered.length).toBe(pings);
    // The burst passes (plus what refilled while the flood was read); the rest is refused, each frame named.
    expect(answered.length).toBeGreaterThanOrEqual(RATE_BURST);
    expect(answered.length).toBeLessThan(RATE_BURST + RATE_PER_SECOND);
    expect(new Set(limited.map((frame) => (frame.type === 'error' ? frame.replyTo : undefined))).size).toBe(limited.length);
    expect(flooder.isOpen).toBe(true);

    // Once tokens refill the same socket is served again, for pings and for messages.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await flooder.roundTrip('after-flood');
    const from = flooder.frames.length;
    flooder.sendFrame({ type: 'send', id: 'send-after-flood', conversationId: chat.conversationId, clientMsgId: 'after-flood', body: 'sent after the flood' });
    await flooder.waitFor((frame) => frame.type === 'accepted' && frame.replyTo === 'send-after-flood', { from });
    await expectEventually(() => expect(chat.b.seen(chat.conversationId).map(([, body]) => body)).toContain('sent after the flood'));
    await chat.exchange('the others were never limited');
    expect(flooder.isOpen).toBe(true);
    await everyoneHealthy();
  });

  it('closes a frame above the size limit with 1009 and leaves the other sockets alone', async () => {
    const chat = await directChat('big');
    const big = frameSocket(chat.a.user.session.accessToken);
    const neighbour = frameSocket(chat.a.user.session.accessToken);
    await Promise.all([big.open(), neighbour.open()]);
    big.sendFrame({ type: 'send', id: 'big', conversationId: chat.conversationId, clientMsgId: 'big', body: 'x'.repeat(MAX_FRAME_BYTES) });
    expect((await big.closed).code).toBe(CloseCodes.message_too_big.code);

    await neighbour.roundTrip('neighbour');
    expect(neighbour.isOpen).toBe(true);
    await chat.exchange('small frames still pass');
    const history = await chat.a.client.history(chat.conversationId);
    expect(history.messages.map((message) => message.body)).toEqual(['small frames still pass']);
    await everyoneHealthy();
  });

  it('drops a client that stops reading while it is flooded, and stays healthy for everyone else', async () => {
    const [stalled, flooder] = await users.registerMany(2, 'stall');
    if (!stalled || !flooder) throw new Error('registration failed');
    const chat = await directChat('bystander');
    const flooding = await users.connect(flooder, { gateway: 1 });
    const group = (await flooding.client.createGroup('flooded', [stalled.userId])).conversationId;

    let sent = 0;
    const reader = new StalledReader(suite().gatewayUrl(0), stalled.session.accessToken);
    try {
      await reader.open();
      const connected = await metricValue(suite().gateway(0), 'chat_connections');
      reader.stopReading();

      // Full-size messages in waves from gateway 1 until gateway 0 gives the stalled socket up:
      // the kernel buffers in between take a few MiB before the gateway's backlog starts to grow.
      const sender = frameSocket(flooder.session.accessToken, 1);
      await sender.open();
      const body = 'f'.repeat(4000);
      let bystanderTurns = 0;
      const dropped = async (): Promise<boolean> => (await metricValue(suite().gateway(0), 'chat_connections')) === connected - 1;
      while (!(await dropped())) {
        // A bound, not a figure: kernel buffers on loopback autotune to several MiB, so the drop comes anywhere from ~2,000 to ~4,000.
        if (sent >= 10_000) throw new Error(`the stalled socket was not dropped after ${sent} messages\n${suite().diagnostics()}`);
        const wave = sent + 200;
        for (; sent < wave; sent += 1) sender.sendFrame({ type: 'send', id: `f-${sent}`, conversationId: group, clientMsgId: `f-${sent}`, body });
        await sender.waitFor((frame) => frame.type === 'accepted' && frame.replyTo === `f-${sent - 1}`, { timeoutMs: 30_000 });
        // Meanwhile the bystanders on the same gateway keep talking.
        bystanderTurns += 1;
        await chat.exchange(`turn ${bystanderTurns}`);
        // The wave has gone all the way through (the flooder's own device reads it back).
        await expectEventually(() => expect(flooding.seen(group).length).toBeGreaterThanOrEqual(sent), { timeoutMs: 60_000 });
      }

      process.stdout.write(`stalled reader dropped after ${sent} messages of ${body.length} characters\n`);
      // The client learns why once it reads again: 4005, or a cut connection if the close frame never fit.
      reader.resumeReading();
      expect([CloseCodes.slow_consumer.code, 1006]).toContain((await reader.closed).code);
    } finally {
      reader.terminate();
    }

    // Everyone else is served with dense seqs, and the dropped user gets a socket again.
    await chat.exchange('after the stalled reader');
    const seen = chat.b.seen(chat.conversationId);
    expect(seen.map(([seq]) => seq)).toEqual(seen.map((_, index) => index + 1));
    const back = frameSocket(stalled.session.accessToken);
    await back.open();
    await back.roundTrip('back');
    // Every flooded message was stored once, in a dense seq (the newest page ends at `sent`).
    const newest = await flooding.client.history(group);
    expect(newest.messages.map((message) => message.seq)).toEqual(Array.from({ length: newest.messages.length }, (_, index) => sent - newest.messages.length + index + 1));
    expect(flooding.seen(group).map(([seq]) => seq)).toEqual(Array.from({ length: sent }, (_, index) => index + 1));
    await everyoneHealthy();
  });

  it('sheds a burst of connections above the handshake rate with 1013, and every client still gets in by backing off', async () => {
    const storm = await users.registerMany(6 * HANDSHAKES_PER_SECOND, 'storm');
    const devices = await Promise.all(storm.map((user) => users.connect(user, { gateway: 2, options: { connectTimeoutMs: 120_000 } })));
    expect(devices.map((device) => device.client.state)).toEqual(devices.map(() => 'ready'));
    const shedClients = devices.filter((device) => device.states.some((change) => change.closeCode === CloseCodes.try_again_later.code));
    expect(shedClients.length).toBeGreaterThan(0);
    // Only the handshake limit refuses anything on gateway 2, always with 1013.
    expect(await metricValue(suite().gateway(2), 'chat_connections_refused_total')).toBeGreaterThan(0);
    // The admitted clients chat as usual.
    const [first, second] = devices;
    if (!first || !second) throw new Error('no devices');
    const { conversationId } = await first.client.openDirect(second.user.userId);
    await first.client.sendAndWaitStored(conversationId, 'made it through the storm');
    await expectEventually(() => expect(second.seen(conversationId).map(([, body]) => body)).toContain('made it through the storm'));
    await everyoneHealthy();
  });
});
