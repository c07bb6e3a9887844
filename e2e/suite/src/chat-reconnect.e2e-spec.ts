import type { ChatClient } from '@chat/client-sdk';
import { MAX_BODY_CHARS, type ChatMessage } from '@chat/protocol';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, useChatUsers } from './support/chat-users';
import { expectEventually } from '@chat/testing';

/*
 * What the client SDK promises when the infrastructure under a user fails: it reconnects by
 * itself, resends what the server never acknowledged (with the same clientMsgId, so exactly once),
 * and catches up on what it missed. Gateway 0 is the one that fails; gateway 1 stays up.
 */

// Gateway 1 lets one client send fast, so a test can store thousands of messages in seconds.
const FAST_SENDER_ENV = { WS_RATE_PER_SECOND: '10000', WS_RATE_BURST: '10000' };
const suite = useChatSuite({ label: 'reconnect', gateways: [{}, { env: FAST_SENDER_ENV }] });
const users = useChatUsers(suite);

const seqAndBody = (messages: readonly ChatMessage[]): Array<[number, string]> => messages.map((m) => [m.seq, m.body]);

/** A body of exactly MAX_BODY_CHARS characters that still says which message it is. */
const longBody = (index: number): string => `long message ${index} `.padEnd(MAX_BODY_CHARS, 'lorem ipsum dolor sit amet ');

/** Sends `bodies` in order, `window` at a time, and resolves with the stored messages. */
async function sendAll(client: ChatClient, conversationId: string, bodies: string[], window: number): Promise<ChatMessage[]> {
  const stored: ChatMessage[] = [];
  for (let start = 0; start < bodies.length; start += window) {
    stored.push(...(await Promise.all(bodies.slice(start, start + window).map((body) => client.sendAndWaitStored(conversationId, body)))));
  }
  return stored;
}

describe('client reconnects, end to end', () => {
  it('after its gateway hangs and crashes, a client reconnects, resends its unacknowledged messages exactly once and catches up', async () => {
    const [traveller, receiver, chatter] = await users.registerMany(3, 'reconnect');
    if (!traveller || !receiver || !chatter) throw new Error('registration failed');
    // The stored messages come back only once the restarted gateway consumes its delivery topic again.
    const t = await users.connect(traveller, { gateway: 0, options: { storedTimeoutMs: 120_000, requestTimeoutMs: 10_000 } });
    const r = await users.connect(receiver, { gateway: 1 });
    const c = await users.connect(chatter, { gateway: 1 });
    const group = await t.client.createGroup('Bumpy ride', [receiver.userId, chatter.userId]);
    const groupId = group.conversationId;
    await expectEventually(() => {
      for (const device of [t, r, c]) expect(device.memberAdded.map((frame) => frame.conversationId)).toContain(groupId);
    });

    // The gateway hangs: the traveller's sends reach its socket but are never read, so never accepted.
    suite().freezeGateway(0);
    const sends = ['sent into the void 1', 'sent into the void 2', 'sent into the void 3'].map((body) => t.client.sendAndWaitStored(groupId, body));
    // Meanwhile the others talk; the hung gateway cannot deliver this to the traveller.
    for (const body of ['meanwhile 1', 'meanwhile 2']) await c.client.sendAndWaitStored(groupId, body);

    await suite().killGateway(0, 'SIGKILL');
    await expectEventually(() => expect(t.client.state).not.toBe('ready'));
    await suite().startGatewayAgain(0);

    const stored = await Promise.all(sends);
    expect(seqAndBody(stored)).toEqual([
      [3, 'sent into the void 1'],
      [4, 'sent into the void 2'],
      [5, 'sent into the void 3'],
    ]);
    const expected: Array<[number, string]> = [[1, 'meanwhile 1'], [2, 'meanwhile 2'], ...seqAndBody(stored)];
    await expectEventually(() => {
      for (const device of [t, r, c]) expect({ user: device.user.username, seen: device.seen(groupId) }).toEqual({ user: device.user.username, seen: expected });
    }, { timeoutMs: 60_000 });

    // Stored once each, although sent twice: history has exactly five messages.
    const page = await r.client.history(groupId);
    expect(seqAndBody(page.messages)).toEqual(expected);
    expect(t.client.stats.resends).toBeGreaterThanOrEqual(3);
    expect(t.states.some((change) => change.state === 'reconnecting' && change.closeCode === 1006)).toBe(true);
    // A restarted gateway admits sockets before its delivery consumer is back in its group, so the
    // first catch-ups may time out and be retried; the client settles once answers flow again.
    await expectEventually(() => expect(t.client.state).toBe('ready'), { timeoutMs: 60_000 });
  });

  it('read receipts and typing reach the other members', async () => {
    const [ann, ben] = await users.registerMany(2, 'receipts');
    if (!ann || !ben) throw new Error('registration failed');
    const a: TestDevice = await users.connect(ann, { gateway: 0 });
    const b: TestDevice = await users.connect(ben, { gateway: 1 });
    const { conversationId } = await a.client.openDirect(ben.userId);
    await expectEventually(() => {
      for (const device of [a, b]) expect(device.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId);
    });

    b.client.typing(conversationId, true);
    await expectEventually(() => expect(a.typing).toEqual([{ type: 'typing', conversationId, userId: ben.userId, active: true }]));
    b.client.typing(conversationId, false);
    await expectEventually(() => expect(a.typing.map((frame) => frame.active)).toEqual([true, false]));
    expect(b.typing).toEqual([]);

    for (const body of ['one', 'two', 'three']) await a.client.sendAndWaitStored(conversationId, body);
    await expectEventually(() => expect(b.seen(conversationId)).toHaveLength(3));
    b.client.markDelivered(conversationId, 3);
    b.client.markRead(conversationId, 2);
    const fromBen = (device: TestDevice) => device.receipts.filter((frame) => frame.userId === ben.userId).map((frame) => [frame.status, frame.seq]);
    await expectEventually(() => {
      expect(fromBen(a)).toEqual([
        ['delivered', 3],
        ['read', 2],
      ]);
      expect(fromBen(b)).toEqual(fromBen(a));
    });
    const [summary] = (await b.client.listConversations()).filter((item) => item.conversationId === conversationId);
    expect(summary).toMatchObject({ lastSeq: 3, unread: 1 });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('a device that was offline while 2,200 messages of 4,000 characters arrived catches up with every one exactly once, in order', async () => {
    const [talker, sleeper] = await users.registerMany(2, 'catchup');
    if (!talker || !sleeper) throw new Error('registration failed');
    // No timing is asserted: the generous connect timeout only keeps a slow machine from failing.
    const s = await users.connect(sleeper, { gateway: 0, options: { connectTimeoutMs: 170_000 } });
    const t = await users.connect(talker, { gateway: 1 });
    const { conversationId } = await t.client.openDirect(sleeper.userId);
    await expectEventually(() => expect(s.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId));

    s.client.close();
    const count = 2_200;
    const stored = await sendAll(t.client, conversationId, Array.from({ length: count }, (_, i) => longBody(i + 1)), 100);
    expect(stored.map((message) => message.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));

    const started = Date.now();
    await s.client.connect(suite().gatewayUrl(0), sleeper.session.tokenProvider);
    process.stdout.write(`offline device caught up with ${count} messages of ${MAX_BODY_CHARS} characters in ${Date.now() - started} ms\n`);
    // Every message once, in seq order, with its body intact; and nothing came twice over the wire.
    const summary = (messages: Array<[number, string]>) => messages.map(([seq, body]) => [seq, body.length, body.slice(0, 20)]);
    expect(summary(s.seen(conversationId))).toEqual(summary(seqAndBody(stored)));
    expect([...s.wireCounts(conversationId).values()].filter((copies) => copies !== 1)).toEqual([]);
    expect(s.errors).toEqual([]);
  });
});
