import { ChatRequestError } from '@chat/client-sdk';
import { expectEventually } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, useChatUsers } from './support/chat-users';

/*
 * Reads cannot stall the write path: one user floods reads (history, sync and list of a big
 * conversation) from several sockets while two others chat. The reads travel on chat.queries and
 * are answered by persistence's own consumer group, and the gateway refuses a user's reads over
 * READS_PER_USER_PER_SECOND before they reach Kafka. What is asserted is outcomes, never timing:
 * every message sent during the storm is accepted, stored and delivered in order, and the storm
 * gets `rate_limited` errors naming the read quota. (The latency figures are the loadgen's:
 * docs/performance.md.) And a user with more conversations than one page lists them all.
 */

const READS_PER_SECOND = 5;
const READS_BURST = 10;

const suite = useChatSuite({
  label: 'read-storm',
  env: {
    READS_PER_USER_PER_SECOND: String(READS_PER_SECOND),
    READS_PER_USER_BURST: String(READS_BURST),
    // The per-socket frame rate must not be what stops the storm: the read quota is under test.
    WS_RATE_PER_SECOND: '10000',
    WS_RATE_BURST: '10000',
    WS_USER_RATE_PER_SECOND: '100000',
    WS_USER_RATE_BURST: '100000',
    GROUPS_PER_USER_PER_HOUR: '1000',
  },
});
const users = useChatUsers(suite);

const STORM_SOCKETS = 3;
const READS_PER_SOCKET = 40;
const BACKLOG = 120;
const CHAT_MESSAGES = 40;

describe('a read storm', () => {
  it('does not stop others from sending: every message is delivered, and the storm gets rate_limited naming the read quota', async () => {
    const [stormer, writer, alice, bob] = await users.registerMany(4, 'storm');
    if (!stormer || !writer || !alice || !bob) throw new Error('registration failed');

    // A big conversation for the stormer to read.
    const writerDevice = await users.connect(writer);
    const big = await writerDevice.client.createGroup('Backlog', [stormer.userId]);
    await Promise.all(Array.from({ length: BACKLOG }, (_, i) => writerDevice.client.sendAndWaitStored(big.conversationId, `backlog ${i} `.padEnd(2000, 'x'))));

    const a = await users.connect(alice);
    const b = await users.connect(bob);
    const direct = await a.client.openDirect(bob.userId);

    const stormDevices: TestDevice[] = [];
    for (let i = 0; i < STORM_SOCKETS; i += 1) stormDevices.push(await users.connect(stormer));

    // The storm: every socket fires its reads at once, history, sync from the start, and the list.
    const storm = stormDevices.flatMap((device) =>
      Array.from({ length: READS_PER_SOCKET }, (_, i) => {
        switch (i % 3) {
          case 0:
            return device.client.history(big.conversationId, { limit: 100 });
          case 1:
            return device.client.sync([{ conversationId: big.conversationId, afterSeq: 0 }]);
          default:
            return device.client.listConversationsPage({ limit: 50 });
        }
      }),
    );
    // …while alice writes to bob.
    const sends = Array.from({ length: CHAT_MESSAGES }, (_, i) => a.client.sendAndWaitStored(direct.conversationId, `during the storm ${i}`));

    const [stormResults, stored] = await Promise.all([Promise.allSettled(storm), Promise.all(sends)]);
    expect(stored.map((message) => message.seq)).toEqual(Array.from({ length: CHAT_MESSAGES }, (_, i) => i + 1));
    await expectEventually(() => expect(b.seen(direct.conversationId)).toEqual(stored.map((message) => [message.seq, message.body])));

    const refused = stormResults.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    const answered = stormResults.filter((result) => result.status === 'fulfilled');
    // 120 reads at once from one user against a burst of 10: the first ones are answered, the rest refused at the gateway.
    expect(refused.length).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error).toBeInstanceOf(ChatRequestError);
      expect(error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/read quota: .*READS_PER_USER_PER_SECOND.*retry in \d+ ms/) });
    }
    // What was answered is whole: a sync from the start brings the backlog.
    await expectEventually(() => expect(stormDevices.some((device) => device.seen(big.conversationId).length === BACKLOG)).toBe(true));

    // Once the storm has passed, the stormer reads again.
    const firstStormDevice = stormDevices[0];
    if (!firstStormDevice) throw new Error('the storm opened no device');
    await expectEventually(async () => expect((await firstStormDevice.client.history(big.conversationId, { limit: 5 })).messages.map((m) => m.seq)).toEqual([116, 117, 118, 119, 120]), { timeoutMs: 30_000, intervalMs: 500 });
  }, 180_000);
});

describe('list_conversations pages', () => {
  it('a user with more conversations than one page lists them all through the SDK', async () => {
    const [owner, member] = await users.registerMany(2, 'pages');
    if (!owner || !member) throw new Error('registration failed');
    const o = await users.connect(owner);
    const created: string[] = [];
    for (let i = 0; i < 23; i += 1) created.push((await o.client.createGroup(`Page ${i}`, [member.userId])).conversationId);

    const m = await users.connect(member);
    const first = await m.client.listConversationsPage({ limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.nextCursor).toEqual(expect.any(String));
    // Most recently active first: the last created leads.
    expect(first.items[0]?.conversationId).toBe(created[22]);

    const all = await m.client.listConversations({ pageSize: 10 });
    expect(all.map((item) => item.conversationId)).toEqual([...created].reverse());
  }, 120_000);
});
