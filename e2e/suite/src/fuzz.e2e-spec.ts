import fc from 'fast-check';
import type { Admin } from 'kafkajs';
import { readyzStatus } from '@chat/local-infra';
import { MAX_CLIENT_FRAME_BYTES } from '@chat/protocol';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, useChatUsers } from './support/chat-users';
import { FuzzDriver } from './support/fuzz-driver';
import { authRequest, drawFrom, FrameFuzzer, fuzzFrame, fuzzSeed } from './support/fuzz-frames';
import { FrameSocket } from './support/fuzz-socket';
import { withAdmin } from './support/kafka-test-kit';

/*
 * Hostile input against the real services: over ten thousand generated and mutated WebSocket frames
 * on a few connections and a few hundred REST bodies to auth, while two ordinary users keep
 * chatting. Everything unreadable must be answered at the edge (an error frame, a 4xx, or the close
 * the protocol names) and nothing may crash, log a fatal error, reach a dead-letter topic or slow
 * the others down. The input comes from fast-check arbitraries drawn inside `fc.assert` with one
 * seed: a failure reports it, and FUZZ_SEED=<that seed> replays the same frames and bodies.
 */

const FRAMES_PER_CONNECTION = 3400;
const FUZZ_CONNECTIONS = 3;
const REST_BODIES = 300;
const MAX_INVALID_IN_ROW = 20;

// Limits high enough that the fuzz is not simply rate limited (the rate limit has tests of its own).
const suite = useChatSuite({
  label: 'fuzz',
  gateways: [{ env: { WS_RATE_PER_SECOND: '10000', WS_RATE_BURST: '100000', WS_MAX_INVALID_FRAMES: String(MAX_INVALID_IN_ROW) } }],
});
const users = useChatUsers(suite);

const seed = fuzzSeed();

async function deadLetterTotal(): Promise<number> {
  return withAdmin(async (admin: Admin) => {
    const topics = (await admin.listTopics()).filter((topic) => topic.endsWith('.dlq'));
    let total = 0;
    for (const topic of topics) for (const partition of await admin.fetchTopicOffsets(topic)) total += Number(partition.high);
    return total;
  });
}

/** Two users chatting in turns until stopped; returns the bodies in the order they were stored. */
function chatInTurns(a: TestDevice, b: TestDevice, conversationId: string, bodies: string[], latencies: number[]): { stop: () => Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      const sender = bodies.length % 2 === 0 ? a : b;
      const body = `turn ${bodies.length + 1}`;
      const started = Date.now();
      await sender.client.sendAndWaitStored(conversationId, body);
      latencies.push(Date.now() - started);
      bodies.push(body);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe(`fuzz, end to end (FUZZ_SEED=${seed})`, () => {
  it('survives 10,000+ hostile frames and hundreds of hostile REST bodies while others keep chatting', async () => {
    process.stdout.write(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
    const [alice, bob, ...fuzzers] = await users.registerMany(2 + FUZZ_CONNECTIONS, 'fuzz');
    if (!alice || !bob || fuzzers.length !== FUZZ_CONNECTIONS) throw new Error('registration failed');
    const a = await users.connect(alice);
    const b = await users.connect(bob);
    const direct = (await a.client.openDirect(bob.userId)).conversationId;
    await expectEventually(() => expect(b.memberAdded.map((frame) => frame.conversationId)).toContain(direct));
    // A group of the fuzzing users: their valid sends to it are stored, so hostile text reaches the database.
    const owner = await users.connect(fuzzers[0] as (typeof fuzzers)[number]);
    const group = (await owner.client.createGroup('fuzz room', fuzzers.slice(1).map((user) => user.userId))).conversationId;
    owner.client.close();

    // One run of the property: the streams are infinite, a driver takes as many frames as it needs.
    const targets = { memberConversationId: group, peerUserId: alice.userId };
    const streams = <T>(arbitrary: fc.Arbitrary<T>) =>
      fc.array(fc.infiniteStream(arbitrary, { noHistory: true }), { minLength: FUZZ_CONNECTIONS, maxLength: FUZZ_CONNECTIONS });
    const inputs = fc.noBias(
      fc.record({
        frames: streams(fuzzFrame(targets, MAX_CLIENT_FRAME_BYTES)),
        batchSizes: streams(fc.integer({ min: 1, max: 80 })),
        restBodies: fc.infiniteStream(authRequest(), { noHistory: true }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(inputs, async ({ frames, batchSizes, restBodies }) => {
        const dlqBefore = await deadLetterTotal();
        const bodies: string[] = [];
        for (let i = 0; i < 4; i += 1) {
          const sender = i % 2 === 0 ? a : b;
          await sender.client.sendAndWaitStored(direct, `turn ${i + 1}`);
          bodies.push(`turn ${i + 1}`);
        }
        const latencies: number[] = [];
        const chat = chatInTurns(a, b, direct, bodies, latencies);
        const beforeFuzz = bodies.length;

        const drivers = fuzzers.map(
          (user, index) =>
            new FuzzDriver({
              url: suite().gatewayUrl(),
              token: () => user.session.accessToken,
              fuzzer: new FrameFuzzer(drawFrom(frames[index])),
              maxFrameBytes: MAX_CLIENT_FRAME_BYTES,
              maxInvalidInRow: MAX_INVALID_IN_ROW,
              memberConversationId: group,
            }),
        );
        const restProblems: string[] = [];
        const restStatuses = new Map<number, number>();
        const nextRestBody = drawFrom(restBodies);
        const rest = (async () => {
          for (let i = 0; i < REST_BODIES; i += 1) {
            const request = nextRestBody();
            const response = await fetch(`${suite().authUrl}${request.path}`, { method: 'POST', headers: { 'content-type': request.contentType }, body: request.text });
            const text = await response.text();
            restStatuses.set(response.status, (restStatuses.get(response.status) ?? 0) + 1);
            const error = response.status >= 400 ? (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error : undefined;
            const wellFormed = response.status < 400 || (typeof error?.code === 'string' && typeof error.message === 'string');
            if (response.status >= 500 || !wellFormed || text.includes('$argon2')) restProblems.push(`${request.path} ${request.text.slice(0, 80)} -> ${response.status} ${text.slice(0, 200)}`);
          }
        })();
        await Promise.all([...drivers.map((driver, index) => driver.run(FRAMES_PER_CONNECTION, drawFrom(batchSizes[index]))), rest]);
        const duringFuzz = bodies.length - beforeFuzz;
        await chat.stop();
        for (let i = 0; i < 4; i += 1) {
          const sender = bodies.length % 2 === 0 ? a : b;
          const body = `turn ${bodies.length + 1}`;
          await sender.client.sendAndWaitStored(direct, body);
          bodies.push(body);
        }

        const summary = {
          seed,
          frames: drivers.reduce((sum, driver) => sum + driver.framesSent, 0),
          unreadable: drivers.reduce((sum, driver) => sum + driver.invalidSent, 0),
          closes: drivers.map((driver) => Object.fromEntries(driver.closes)),
          answers: [...new Set(drivers.flatMap((driver) => driver.answers.map((frame) => frame.code)))].sort(),
          rest: Object.fromEntries(restStatuses),
          chatDuringFuzz: duringFuzz,
          chatLatencyMs: { max: Math.max(...latencies), median: latencies.slice().sort((x, y) => x - y)[Math.floor(latencies.length / 2)] },
        };
        process.stdout.write(`fuzz summary ${JSON.stringify(summary)}\n`);
        expect(summary.frames).toBeGreaterThanOrEqual(10_000);
        expect(drivers.flatMap((driver) => driver.problems).slice(0, 10)).toEqual([]);
        expect(restProblems.slice(0, 10)).toEqual([]);
        // Answers to well-formed requests about the wrong things are refusals, never server failures.
        expect(drivers.flatMap((driver) => driver.answers).filter((frame) => ['internal', 'unavailable', 'timeout'].includes(frame.code))).toEqual([]);
        expect(duringFuzz).toBeGreaterThan(0);

        // The ordinary chat: every message stored once, seqs dense, both users saw all of it.
        expect(await fullHistory(a, direct)).toEqual(bodies.map((body, index) => [index + 1, body]));
        await expectEventually(() => expect(b.seen(direct)).toEqual(bodies.map((body, index) => [index + 1, body])));
        await expectEventually(() => expect(a.seen(direct)).toEqual(bodies.map((body, index) => [index + 1, body])));

        // Every valid send of the fuzzers to their group was stored, whatever its text.
        const expectedStored = drivers.reduce((sum, driver) => sum + driver.memberSends.size, 0);
        const reader = new FrameSocket(suite().gatewayUrl(), { token: (fuzzers[0] as (typeof fuzzers)[number]).session.accessToken });
        await reader.open();
        await expectEventually(
          async () => {
            const id = `sync-${Date.now()}`;
            const from = reader.frames.length;
            reader.sendFrame({ type: 'sync', id, conversations: [{ conversationId: group, afterSeq: 0 }] });
            const synced = await reader.waitFor((frame) => frame.type === 'synced' && frame.replyTo === id, { from });
            const stored = reader.frames.slice(from).filter((frame) => frame.type === 'message' && frame.conversationId === group);
            const storedIds = new Set(stored.map((frame) => (frame.type === 'message' ? `${frame.senderId}/${frame.clientMsgId}` : '')));
            const sentIds = new Set(drivers.flatMap((driver, index) => [...driver.memberSends].map((clientMsgId) => `${fuzzers[index]?.userId}/${clientMsgId}`)));
            expect({
              synced,
              storedTwice: stored.length - storedIds.size,
              storedNotSent: [...storedIds].filter((key) => !sentIds.has(key)),
              sentNotStored: [...sentIds].filter((key) => !storedIds.has(key)),
            }).toEqual({ synced: expect.objectContaining({ conversations: [{ conversationId: group, lastSeq: expectedStored }] }), storedTwice: 0, storedNotSent: [], sentNotStored: [] });
          },
          { timeoutMs: 60_000, intervalMs: 1000 },
        );
        reader.close();

        // Nothing reached a dead-letter topic: the fuzz was refused at the edge.
        expect(await deadLetterTotal()).toBe(dlqBefore);
        // Every process is alive and ready, and none logged an unhandled error.
        const services = [suite().gateway(0), ...(['auth', 'persistence', 'router', 'metrics'] as const).map((name) => suite().process(name))];
        for (const service of services) {
          expect({ service: service.name, alive: isAlive(service.pid), ready: await readyzStatus(service.httpPort) }).toEqual({ service: service.name, alive: true, ready: 200 });
          const alarming = service
            .output()
            .split('\n')
            .filter((line) => /unhandled|"level":\s*(60|"fatal")/i.test(line));
          expect({ service: service.name, alarming: alarming.slice(0, 3) }).toEqual({ service: service.name, alarming: [] });
        }
      }),
      { seed, numRuns: 1, endOnFailure: true },
    );
  }, 170_000);
});

/** Every stored message of a conversation as [seq, body], paging backwards through history. */
async function fullHistory(device: TestDevice, conversationId: string): Promise<Array<[number, string]>> {
  const messages: Array<[number, string]> = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await device.client.history(conversationId, { limit: 100, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
    messages.unshift(...page.messages.map((message): [number, string] => [message.seq, message.body]));
    if (!page.hasMore || page.messages.length === 0) return messages;
    beforeSeq = page.messages[0]?.seq;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
