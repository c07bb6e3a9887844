import { randomUUID } from 'node:crypto';
import { AuthError, type HistoryPage } from '@chat/client-sdk';
import { type ChatMessage, directConversationId } from '@chat/protocol';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';
import { expectEventually } from '@chat/testing';

/*
 * Messaging as users see it, through the client SDK against all five services. Before asserting
 * live delivery a test waits until the router has seen each recipient's connection (the sender is
 * told the recipient came online, or gets its own member_added); a message stored before that can
 * only reach the recipient through sync, which is what the catch-up test covers.
 */

const suite = useChatSuite({
  label: 'messaging',
  // Rate limiting is not under test here; the history test sends 120 frames as fast as it can.
  gateways: [{ env: { WS_RATE_PER_SECOND: '2000', WS_RATE_BURST: '4000' } }],
});
const users = useChatUsers(suite);

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Opens the direct conversation and waits until the opener's own member_added came back through the router. */
async function openDirect(device: TestDevice, peer: TestUser): Promise<string> {
  const conversation = await device.client.openDirect(peer.userId);
  await expectEventually(() => expect(device.memberAdded.map((frame) => frame.conversationId)).toContain(conversation.conversationId));
  return conversation.conversationId;
}

/** Waits until `observer` was told `user` is online: from then on the router routes to that user's gateway. */
async function seenOnline(observer: TestDevice, user: TestUser): Promise<void> {
  await expectEventually(() => expect({ user: user.username, online: observer.lastPresenceOf(user.userId) }).toEqual({ user: user.username, online: true }));
}

/** Every page of a conversation's history, newest page first, paging back with beforeSeq. */
async function allPages(device: TestDevice, conversationId: string, limit: number): Promise<HistoryPage[]> {
  const pages: HistoryPage[] = [];
  let beforeSeq: number | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await device.client.history(conversationId, { beforeSeq, limit });
    pages.push(page);
    if (!page.hasMore) return pages;
    const oldest = page.messages[0];
    if (!oldest) throw new Error(`history page before ${beforeSeq} is empty but says hasMore`);
    beforeSeq = oldest.seq;
  }
  throw new Error('history never ended');
}

const seqAndBody = (messages: readonly ChatMessage[]): Array<[number, string]> => messages.map((m) => [m.seq, m.body]);

describe('chat messaging, end to end', () => {
  it('two users register and log in over REST, then exchange direct messages both ways, numbered 1..n in order on both sides', async () => {
    const alice = await users.register('alice');
    const bob = await users.register('bob');
    await expect(users.auth.me(alice.session.accessToken)).resolves.toEqual({ userId: alice.userId, username: alice.username });
    const taken = users.auth.register(alice.username, 'another-password-123');
    await expect(taken).rejects.toBeInstanceOf(AuthError);
    await expect(taken).rejects.toMatchObject({ status: 409, code: 'username_taken' });

    const a = await users.connect(alice);
    const conversation = await a.client.openDirect(bob.userId);
    expect(conversation).toMatchObject({ conversationId: directConversationId(alice.userId, bob.userId), kind: 'direct', lastSeq: 0 });
    expect([...conversation.memberIds].sort()).toEqual([alice.userId, bob.userId].sort());
    const conversationId = conversation.conversationId;
    await expectEventually(() => expect(a.memberAdded.map((frame) => frame.conversationId)).toContain(conversationId));
    const b = await users.connect(bob);
    await seenOnline(a, bob);

    const script: Array<[TestDevice, string]> = [
      [a, 'hi bob'],
      [b, 'hi alice'],
      [a, 'how are you?'],
      [b, 'fine, thanks'],
      [b, 'and you?'],
      [a, 'great 😀'],
    ];
    for (const [index, [device, body]] of script.entries()) {
      const stored = await device.client.sendAndWaitStored(conversationId, body);
      expect({ seq: stored.seq, body: stored.body, senderId: stored.senderId }).toEqual({ seq: index + 1, body, senderId: device.user.userId });
    }

    const expected = script.map(([, body], index): [number, string] => [index + 1, body]);
    await expectEventually(() => {
      expect(a.seen(conversationId)).toEqual(expected);
      expect(b.seen(conversationId)).toEqual(expected);
    });
    expect(b.messages.map((m) => m.senderId)).toEqual(script.map(([device]) => device.user.userId));
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);

    // Logging out revokes the session: its refresh token is refused from then on.
    const refreshToken = alice.session.refreshToken;
    await alice.session.logout();
    await expect(users.auth.refresh(refreshToken)).rejects.toMatchObject({ status: 401 });
  });

  it('a group of five, one member on two devices: every device receives each message exactly once, in order', async () => {
    const members = await users.registerMany(5, 'member');
    const [owner, ...others] = members as [TestUser, ...TestUser[]];
    const ownerPhone = await users.connect(owner);
    const group = await ownerPhone.client.createGroup('Five of us', others.map((user) => user.userId));
    expect(group).toMatchObject({ kind: 'group', title: 'Five of us', lastSeq: 0 });
    expect([...group.memberIds].sort()).toEqual(members.map((user) => user.userId).sort());
    const groupId = group.conversationId;
    await expectEventually(() => expect(ownerPhone.memberAdded.map((frame) => frame.conversationId)).toContain(groupId));

    const ownerLaptop = await users.connect(owner);
    const otherDevices = await Promise.all(others.map((user) => users.connect(user)));
    for (const user of others) await seenOnline(ownerPhone, user);
    const devices = [ownerPhone, ownerLaptop, ...otherDevices];

    // Three rounds in which every device, both of the owner's included, sends one message.
    const sent: Array<[number, string]> = [];
    for (const round of [1, 2, 3]) {
      for (const [index, device] of devices.entries()) {
        const body = `round ${round} from device ${index} (${device.user.username})`;
        const stored = await device.client.sendAndWaitStored(groupId, body);
        sent.push([stored.seq, body]);
      }
    }
    expect(sent.map(([seq]) => seq)).toEqual(range(1, 18));

    await expectEventually(() => {
      for (const device of devices) expect({ device: device.user.username, seen: device.seen(groupId) }).toEqual({ device: device.user.username, seen: sent });
    });
    // Not only deduplicated by the SDK: the server itself sent each message once to each device.
    for (const device of devices) {
      expect({ device: device.user.username, wire: [...device.wireCounts(groupId)] }).toEqual({ device: device.user.username, wire: sent.map(([seq]) => [seq, 1]) });
      expect(device.client.stats.gapFills).toBe(0);
    }
    // The owner's laptop saw what the owner sent from the phone, and the other way round.
    const fromPhone = ownerLaptop.messages.filter((m) => m.conversationId === groupId && m.body.includes('device 0 '));
    const fromLaptop = ownerPhone.messages.filter((m) => m.conversationId === groupId && m.body.includes('device 1 '));
    expect([fromPhone.length, fromLaptop.length]).toEqual([3, 3]);
  });

  it('a recipient offline while 50 messages are sent catches up with exactly those 50, in order, when it connects', async () => {
    const sender = await users.register('sender');
    const recipient = await users.register('recipient');
    const s = await users.connect(sender);
    const conversationId = await openDirect(s, recipient);
    const r = await users.connect(recipient);
    await seenOnline(s, recipient);

    for (const n of [1, 2, 3]) await s.client.sendAndWaitStored(conversationId, `before ${n}`);
    await expectEventually(() => expect(r.seen(conversationId)).toEqual([[1, 'before 1'], [2, 'before 2'], [3, 'before 3']]));

    r.client.close();
    await expectEventually(() => expect(s.lastPresenceOf(recipient.userId)).toBe(false));
    const offline = range(1, 50).map((n) => `while offline ${n}`);
    for (const body of offline) await s.client.send(conversationId, body);
    await expectEventually(() => expect(s.client.conversation(conversationId).lastSeq).toBe(53));

    const caughtUp: ChatMessage[] = [];
    r.client.on('message', (message) => caughtUp.push(message));
    await r.client.connect(suite().gatewayUrl(), recipient.session.tokenProvider);
    // connect() resolves once caught up: the 50 are there, each once, in order, and nothing else.
    expect(seqAndBody(caughtUp)).toEqual(offline.map((body, i): [number, string] => [i + 4, body]));
    expect(r.seen(conversationId)).toHaveLength(53);
    expect(r.errors).toEqual([]);
  });

  it('a resend of the same clientMsgId yields the same seq and stores nothing new', async () => {
    const alice = await users.register('alice');
    const bob = await users.register('bob');
    const a = await users.connect(alice);
    const conversationId = await openDirect(a, bob);
    const clientMsgId = `resend-${randomUUID()}`;

    const first = await a.client.sendAndWaitStored(conversationId, 'exactly once', { clientMsgId });
    const again = await a.client.sendAndWaitStored(conversationId, 'exactly once', { clientMsgId });
    expect(again).toEqual(first);
    // Another device of the same user retrying it (a phone that lost the answer) gets the same message too.
    const second = await users.connect(alice);
    await expect(second.client.sendAndWaitStored(conversationId, 'exactly once', { clientMsgId })).resolves.toEqual(first);

    const next = await a.client.sendAndWaitStored(conversationId, 'the next one');
    expect(next.seq).toBe(first.seq + 1);
    const page = await a.client.history(conversationId);
    expect({ messages: seqAndBody(page.messages), hasMore: page.hasMore }).toEqual({ messages: [[1, 'exactly once'], [2, 'the next one']], hasMore: false });
    await expectEventually(() => expect(a.seen(conversationId)).toEqual([[1, 'exactly once'], [2, 'the next one']]));
  });

  it('a create_group retried with the same clientGroupId, from another device too, yields one group', async () => {
    const ann = await users.register('ann');
    const ben = await users.register('ben');
    const phone = await users.connect(ann);
    const clientGroupId = `group-${randomUUID()}`;

    const first = await phone.client.createGroup('Only once', [ben.userId], { clientGroupId });
    const again = await phone.client.createGroup('Only once', [ben.userId], { clientGroupId });
    expect(again.conversationId).toBe(first.conversationId);
    const laptop = await users.connect(ann);
    expect((await laptop.client.createGroup('Only once', [ben.userId], { clientGroupId })).conversationId).toBe(first.conversationId);

    const groups = (await laptop.client.listConversations()).filter((conversation) => conversation.title === 'Only once');
    expect(groups.map((group) => group.conversationId)).toEqual([first.conversationId]);
  });

  it('history pages are complete and in order across page boundaries (120 messages, pages of 50)', async () => {
    const alice = await users.register('alice');
    const bob = await users.register('bob');
    const a = await users.connect(alice);
    const conversationId = await openDirect(a, bob);
    const bodies = range(1, 120).map((n) => `history ${n}`);
    for (const body of bodies) await a.client.send(conversationId, body);
    await expectEventually(() => expect(a.client.conversation(conversationId).lastSeq).toBe(120));

    const b = await users.connect(bob);
    for (const reader of [a, b]) {
      const pages = await allPages(reader, conversationId, 50);
      for (const page of pages) {
        expect(page.messages.length).toBeGreaterThan(0);
        expect(page.messages.length).toBeLessThanOrEqual(50);
        const seqs = page.messages.map((m) => m.seq);
        expect(seqs).toEqual(range(seqs[0] ?? 0, (seqs[0] ?? 0) + seqs.length - 1));
      }
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(pages[0]?.messages.at(-1)?.seq).toBe(120);
      const all = [...pages].reverse().flatMap((page) => page.messages);
      expect(seqAndBody(all)).toEqual(bodies.map((body, i): [number, string] => [i + 1, body]));
    }
  });
});
