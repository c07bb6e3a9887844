import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { CloseCodes } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { useChatUsers, type TestUser } from './support/chat-users';
import { FrameSocket } from './support/fuzz-socket';
import { healthOf, metricValue } from './support/overload-health';

/*
 * Memory and the per-client limits of a gateway under abusive clients, against the real services.
 *
 * Gateway 0 holds 1,000 sockets that never read (50 users at the per-user cap of 20) while a group
 * they are all in is flooded and two bystanders chat on the same gateway: its outbound budget
 * (GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES, 24 MiB here) closes the largest backlogs, its RSS stays
 * under the limit, and every reader still gets every message.
 *
 * Gateway 1 trusts 127.0.0.1 as a proxy, so X-Forwarded-For stands for the client IP, and has small
 * per-IP limits and a small process-wide handshake budget.
 */

const MIB = 1024 * 1024;
const BUDGET_BYTES = 24 * MIB;
/** Above the budget, so the process-wide budget (not each socket's limit) is what closes them. */
const PER_SOCKET_BYTES = 8 * MIB;
const SILENT_USERS = 50;
const SOCKETS_PER_USER = 20;
/**
 * The gateway's RSS may grow by at most this over its RSS with the 1,000 sockets open and idle:
 * the budget plus room for what is not a backlog (Kafka batches, frames being encoded, garbage not
 * yet collected). Without the budget the flood below queues far more than this (see
 * docs/reliability.md for the figures).
 */
const RSS_GROWTH_LIMIT = BUDGET_BYTES + 96 * MIB;
/** Messages of 4,000 characters to the group: each is queued for 1,000 silent sockets (~4 MB a message). */
const FLOOD_MESSAGES = 400;
/** Near the 4,000-character limit, with room for the wave and index in front. */
const BODY = 'm'.repeat(3980);

const MAX_PER_IP = 3;
const HANDSHAKES_PER_IP_PER_SECOND = 1;
const HANDSHAKE_BURST_PER_IP = 5;
const HANDSHAKE_BURST = 20;

const suite = useChatSuite({
  label: 'gwmemory',
  gateways: [
    {
      env: {
        GATEWAY_OUTBOUND_BUFFER_BUDGET_BYTES: String(BUDGET_BYTES),
        WS_MAX_BUFFERED_BYTES: String(PER_SOCKET_BYTES),
        WS_MAX_CONNECTIONS_PER_USER: String(SOCKETS_PER_USER),
        // Every socket of the test comes from 127.0.0.1.
        WS_MAX_CONNECTIONS_PER_IP: '5000',
        WS_MAX_HANDSHAKES_PER_IP_PER_SECOND: '100000',
        WS_HANDSHAKE_BURST_PER_IP: '100000',
        // The flooding sender: its own rate is not what this test is about.
        WS_RATE_PER_SECOND: '10000',
        WS_RATE_BURST: '10000',
        // Silent sockets answer no pings: only the budget may end them during the test.
        WS_PING_INTERVAL_MS: '120000',
        WS_IDLE_TIMEOUT_MS: '240000',
      },
    },
    {
      env: {
        GATEWAY_TRUSTED_PROXIES: '127.0.0.1',
        WS_MAX_CONNECTIONS_PER_IP: String(MAX_PER_IP),
        WS_MAX_HANDSHAKES_PER_IP_PER_SECOND: String(HANDSHAKES_PER_IP_PER_SECOND),
        WS_HANDSHAKE_BURST_PER_IP: String(HANDSHAKE_BURST_PER_IP),
        WS_MAX_HANDSHAKES_PER_SECOND: '1',
        WS_HANDSHAKE_BURST: String(HANDSHAKE_BURST),
      },
    },
  ],
});
const users = useChatUsers(suite);

/** A socket that reads its upgrade answer and then nothing: its kernel buffers fill, then the gateway's backlog. */
class SilentSocket {
  readonly closed: Promise<number>;
  private readonly socket: WebSocket;

  constructor(url: string, token: string) {
    this.socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
  }

  async open(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => {
        (this.socket as unknown as { _socket: Socket })._socket.pause();
        resolve();
      });
      void this.closed.then((code) => reject(new Error(`closed before opening: ${code}`)));
    });
  }

  terminate(): void {
    this.socket.terminate();
  }
}

/** A raw socket to gateway 1 as if from `ip` behind the trusted proxy. */
function fromAddress(ip: string, token?: string): FrameSocket {
  return new FrameSocket(suite().gatewayUrl(1), { token, headers: { 'x-forwarded-for': ip } });
}

/** VmRSS and VmHWM (the peak) of a process, in bytes. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** The value of one labelled series on a service's /metrics (0 when it has not been counted yet). */
async function seriesValue(port: number, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(label));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('gateway memory and per-client limits, end to end', () => {
  const silent: SilentSocket[] = [];
  afterAll(() => {
    for (const socket of silent.splice(0)) socket.terminate();
  });

  it('keeps RSS bounded with 1,000 sockets that never read while their group is flooded, and every reader gets every message', async () => {
    const s = suite();
    const gateway = s.gateway(0);
    const registered: TestUser[] = [];
    // In batches: registration hashes passwords, and the machine is shared.
    for (let batch = 0; batch < SILENT_USERS / 10; batch += 1) registered.push(...(await users.registerMany(10, `silent${batch}-`)));
    const [owner, reader, alice, bob] = await users.registerMany(4, 'memory');
    if (!owner || !reader || !alice || !bob) throw new Error('registration failed');

    const sender = await users.connect(owner);
    const readerDevice = await users.connect(reader);
    const group = (await sender.client.createGroup('flooded', [reader.userId, ...registered.map((user) => user.userId)])).conversationId;
    await expectEventually(() => expect(readerDevice.memberAdded.map((frame) => frame.conversationId)).toContain(group));
    const a = await users.connect(alice);
    const b = await users.connect(bob);
    const direct = (await a.client.openDirect(bob.userId)).conversationId;

    // 1,000 silent sockets: every silent user at the per-user cap, which still holds.
    for (const user of registered) {
      const sockets = Array.from({ length: SOCKETS_PER_USER }, () => new SilentSocket(s.gatewayUrl(0), user.session.accessToken));
      silent.push(...sockets);
      await Promise.all(sockets.map((socket) => socket.open()));
    }
    const overCap = new FrameSocket(s.gatewayUrl(0), { token: registered[0]?.session.accessToken });
    expect((await overCap.closed).code).toBe(CloseCodes.too_many_connections.code);
    expect(await metricValue(gateway, 'chat_connections')).toBe(SILENT_USERS * SOCKETS_PER_USER + 4);
    const idle = await memoryOf(gateway.pid);

    // The flood, in waves; between waves the bystanders exchange a message on the same gateway.
    const waves = 20;
    for (let wave = 0; wave < waves; wave += 1) {
      const sends = Array.from({ length: FLOOD_MESSAGES / waves }, (_, index) => sender.client.send(group, `${wave}:${index}:${BODY}`));
      await Promise.all(sends);
      await a.client.sendAndWaitStored(direct, `wave ${wave}`);
      await expectEventually(() => expect(b.seen(direct).map(([, body]) => body)).toContain(`wave ${wave}`), { timeoutMs: 60_000 });
    }

    // Every reader, on the gateway that holds the silent sockets, gets every message in order.
    await expectEventually(() => expect(readerDevice.seen(group).length).toBe(FLOOD_MESSAGES), { timeoutMs: 120_000 });
    expect(readerDevice.seen(group).map(([seq]) => seq)).toEqual(Array.from({ length: FLOOD_MESSAGES }, (_, index) => index + 1));
    expect(b.seen(direct).map(([seq]) => seq)).toEqual(Array.from({ length: waves }, (_, index) => index + 1));

    // The budget, not luck, kept the memory: silent sockets were closed as slow consumers.
    const shed = await seriesValue(gateway.httpPort, 'chat_slow_consumers_closed_total', 'limit="process"');
    const after = await memoryOf(gateway.pid);
    const backlog = await metricValue(gateway, 'chat_outbound_buffered_bytes');
    process.stdout.write(
      `gateway RSS idle with 1,000 sockets ${(idle.rss / MIB).toFixed(0)} MiB, peak ${(after.peak / MIB).toFixed(0)} MiB, ` +
        `after the flood ${(after.rss / MIB).toFixed(0)} MiB; ${shed} silent sockets closed by the budget; backlog at last count ${(backlog / MIB).toFixed(1)} MiB\n`,
    );
    expect(shed).toBeGreaterThan(0);
    expect(after.peak - idle.rss).toBeLessThan(RSS_GROWTH_LIMIT);
    expect(backlog).toBeLessThanOrEqual(BUDGET_BYTES);
    const healthy = await healthOf({ gateway, router: s.process('router'), persistence: s.process('persistence') });
    expect(healthy).toEqual({ gateway: { exited: false, ready: 200 }, router: { exited: false, ready: 200 }, persistence: { exited: false, ready: 200 } });

    // A dropped silent user connects again and is served.
    for (const socket of silent.splice(0)) socket.terminate();
    const back = await users.connect(registered[0] as TestUser);
    expect(back.client.state).toBe('ready');
  });

  it('spends the handshake budget only on sockets that pass the origin and token checks', async () => {
    // Junk from many addresses: more refusals than the whole budget holds, none of them spending it.
    const junk = Array.from({ length: 3 * HANDSHAKE_BURST }, (_, index) => fromAddress(`198.51.100.${index + 1}`, index % 2 ? 'not-a-token' : undefined));
    const closes = await Promise.all(junk.map((socket) => socket.closed));
    expect(new Set(closes.map((close) => close.code))).toEqual(new Set([CloseCodes.unauthorized.code]));

    const [user] = await users.registerMany(1, 'budget');
    if (!user) throw new Error('registration failed');
    const real = fromAddress('192.0.2.10', user.session.accessToken);
    await real.open();
    await real.roundTrip('after-junk');
    real.close();
    await real.closed;
  });

  it('limits the sockets and handshakes of one client address, and only that address', async () => {
    const [user] = await users.registerMany(1, 'perip');
    if (!user) throw new Error('registration failed');
    const token = user.session.accessToken;

    const held = Array.from({ length: MAX_PER_IP }, () => fromAddress('203.0.113.7', token));
    await Promise.all(held.map((socket) => socket.open()));
    const beyond = fromAddress('203.0.113.7', token);
    expect(await beyond.closed).toEqual({ code: CloseCodes.try_again_later.code, reason: `too many connections from this address (at most ${MAX_PER_IP}); retry later` });
    const elsewhere = fromAddress('203.0.113.8', token);
    await elsewhere.open();
    await elsewhere.roundTrip('another-address');
    for (const socket of [...held, elsewhere]) socket.close();
    await Promise.all([...held, elsewhere].map((socket) => socket.closed));

    // One address opening and closing sockets in a quick row runs out of handshakes (1 a second, burst 5).
    const outcomes: number[] = [];
    for (let attempt = 0; attempt < 3 * HANDSHAKE_BURST_PER_IP; attempt += 1) {
      const socket = fromAddress('203.0.113.9', token);
      // A refused socket is upgraded, then closed: only an answered frame proves it was admitted.
      const admitted = await socket
        .open()
        .then(() => socket.roundTrip(`attempt-${attempt}`))
        .then(() => true)
        .catch(() => false);
      if (admitted) socket.close();
      const closed = await socket.closed;
      outcomes.push(admitted ? 0 : closed.code);
    }
    const refused = outcomes.filter((code) => code !== 0);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set([CloseCodes.try_again_later.code]));
    // Another address is not affected.
    const other = fromAddress('203.0.113.10', token);
    await other.open();
    other.close();
    await other.closed;
  });
});
