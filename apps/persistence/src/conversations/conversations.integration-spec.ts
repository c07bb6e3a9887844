import { randomUUID } from 'node:crypto';
import { directConversationId, groupConversationId, MAX_GROUP_MEMBERS, Topics } from '@chat/protocol';
import { answerTo, commands, type Harness, membershipChanges, startHarness, storedMessages } from '../../test/harness';

describe('conversations (PostgreSQL)', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  let dave: string;

  beforeAll(async () => {
    h = await startHarness();
    [alice, bob, carol, dave] = await h.users(4);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  async function group(creator: string, members: string[], title = 'Group'): Promise<string> {
    const create = commands.createGroup(creator, title, members);
    return answerTo(await h.run(create), create, 'conversation').conversationId;
  }

  describe('open-direct', () => {
    it('creates the conversation of the pair once, announcing the membership only then', async () => {
      const open = commands.openDirect(alice, bob);
      const effects = await h.run(open);
      const conversationId = directConversationId(alice, bob);
      expect(answerTo(effects, open, 'conversation')).toEqual({
        type: 'conversation',
        replyTo: open.payload.replyTo.requestId,
        conversationId,
        kind: 'direct',
        memberIds: [alice, bob].sort(),
        lastSeq: 0,
        unread: 0,
      });
      expect(membershipChanges(effects)).toEqual([
        { conversationId, kind: 'direct', memberIds: [alice, bob].sort(), added: [alice, bob].sort(), removed: [], by: alice },
      ]);
      expect(effects.find((effect) => effect.topic === Topics.memberships.name)?.key).toBe(conversationId);

      // The peer opening it too gets the same conversation, now with an unread message.
      await h.run(commands.send(alice, conversationId, 'hello'));
      const reopen = commands.openDirect(bob, alice);
      const again = await h.run(reopen);
      expect(membershipChanges(again)).toEqual([]);
      expect(answerTo(again, reopen, 'conversation')).toMatchObject({ conversationId, lastSeq: 1, unread: 1 });
      // Answers to open-direct are keyed by the conversation, like every command about it.
      expect(again[0].key).toBe(conversationId);
    });

    it('answers not_found for a user this service has not heard of', async () => {
      const open = commands.openDirect(alice, randomUUID());
      const effects = await h.run(open);
      expect(answerTo(effects, open, 'error').code).toBe('not_found');
      expect(membershipChanges(effects)).toEqual([]);
    });
  });

  describe('create-group', () => {
    it('makes the creator and the named users members and announces them', async () => {
      const create = commands.createGroup(alice, 'Climbing', [bob, carol]);
      const effects = await h.run(create);
      const frame = answerTo(effects, create, 'conversation');
      expect(frame).toMatchObject({ kind: 'group', title: 'Climbing', lastSeq: 0, unread: 0 });
      expect([...frame.memberIds].sort()).toEqual([alice, bob, carol].sort());
      const [change] = membershipChanges(effects);
      expect(change).toMatchObject({ conversationId: frame.conversationId, kind: 'group', title: 'Climbing', removed: [], by: alice });
      expect(change.memberIds).toEqual(frame.memberIds);
      expect(change.added).toEqual(frame.memberIds);
      // Answered under the creator's key (create-group has no conversation yet).
      expect(effects.find((effect) => effect.envelope.type === 'chat.command-answers')?.key).toBe(alice);
    });

    it('with a clientGroupId makes one group however often the create is retried, and announces it once', async () => {
      const key = `g-${randomUUID()}`;
      const conversationId = groupConversationId(alice, key);
      // A retry in the same batch (a resend that raced the first) …
      const [first, retry] = [commands.createGroup(alice, 'Once', [bob], key), commands.createGroup(alice, 'Once', [bob], key)];
      const effects = await h.run(first, retry);
      expect(answerTo(effects, first, 'conversation')).toMatchObject({ conversationId, title: 'Once' });
      expect(answerTo(effects, retry, 'conversation')).toMatchObject({ conversationId, title: 'Once' });
      expect(membershipChanges(effects)).toHaveLength(1);
      // … and one later, even with other contents, answer with the group as it is and change nothing.
      const late = commands.createGroup(alice, 'Other title', [carol], key);
      const again = await h.run(late);
      expect(answerTo(again, late, 'conversation')).toMatchObject({ conversationId, title: 'Once' });
      expect([...answerTo(again, late, 'conversation').memberIds].sort()).toEqual([alice, bob].sort());
      expect(membershipChanges(again)).toEqual([]);
      const rows = await h.dataSource.query<unknown[]>('select 1 from conversations where id = $1', [conversationId]);
      expect(rows).toHaveLength(1);
      // The key is the creator's: another user's create with the same key makes their own group.
      const bobs = commands.createGroup(bob, 'Bob', [alice], key);
      expect(answerTo(await h.run(bobs), bobs, 'conversation').conversationId).toBe(groupConversationId(bob, key));
    });

    it('refuses unknown members and creates nothing', async () => {
      const stranger = randomUUID();
      const create = commands.createGroup(alice, 'Nope', [bob, stranger]);
      const effects = await h.run(create);
      expect(answerTo(effects, create, 'error')).toMatchObject({ code: 'not_found', message: expect.stringContaining(stranger) });
      const rows = await h.dataSource.query<unknown[]>(`select 1 from conversations where title = 'Nope'`);
      expect(rows).toHaveLength(0);
    });
  });

  describe('add-members', () => {
    it('lets any member add users, who start with nothing unread and receive what follows', async () => {
      const conversationId = await group(alice, [bob]);
      await h.run(commands.send(alice, conversationId, 'before'));
      const add = commands.addMembers(bob, conversationId, [carol, alice]);
      const effects = await h.run(add);
      expect(membershipChanges(effects)).toEqual([
        { conversationId, kind: 'group', title: 'Group', memberIds: expect.arrayContaining([alice, bob, carol]), added: [carol], removed: [], by: bob },
      ]);
      expect(answerTo(effects, add, 'conversation').memberIds).toHaveLength(3);
      const list = commands.list(carol);
      const listed = answerTo(await h.run(list), list, 'conversations').items.find((item) => item.conversationId === conversationId);
      expect(listed).toMatchObject({ lastSeq: 1, unread: 0 });
      const [next] = storedMessages(await h.run(commands.send(alice, conversationId, 'after')));
      expect(next.recipientIds).toContain(carol);
      // History from before they joined stays readable.
      const history = commands.history(carol, conversationId, 10);
      expect(answerTo(await h.run(history), history, 'history_page').messages.map((message) => message.seq)).toEqual([1, 2]);
    });

    it('refuses non-members, direct conversations, users already in and unknown users', async () => {
      const conversationId = await group(alice, [bob]);
      await h.run(commands.openDirect(alice, carol));
      const outsider = commands.addMembers(carol, conversationId, [dave]);
      const direct = commands.addMembers(alice, directConversationId(alice, carol), [dave]);
      const already = commands.addMembers(alice, conversationId, [bob]);
      const unknown = commands.addMembers(alice, conversationId, [randomUUID()]);
      const effects = await h.run(outsider, direct, already, unknown);
      expect(answerTo(effects, outsider, 'error').code).toBe('not_member');
      expect(answerTo(effects, direct, 'error').code).toBe('forbidden');
      expect(answerTo(effects, already, 'error').code).toBe('conflict');
      expect(answerTo(effects, unknown, 'error').code).toBe('not_found');
      expect(membershipChanges(effects)).toEqual([]);
    });

    it(`keeps a group at ${MAX_GROUP_MEMBERS} members at most`, async () => {
      const crowd = await h.users(MAX_GROUP_MEMBERS - 1);
      const conversationId = await group(alice, crowd);
      const add = commands.addMembers(alice, conversationId, [bob]);
      expect(answerTo(await h.run(add), add, 'error').code).toBe('conflict');
    });
  });

  describe('remove-member', () => {
    it('lets members leave and only the creator remove others; the removed get nothing more', async () => {
      const conversationId = await group(alice, [bob, carol, dave]);
      const notCreator = commands.removeMember(bob, conversationId, carol);
      const leave = commands.removeMember(bob, conversationId, bob);
      const kick = commands.removeMember(alice, conversationId, carol);
      const effects = await h.run(notCreator, leave, kick);
      expect(answerTo(effects, notCreator, 'error').code).toBe('forbidden');
      expect(membershipChanges(effects)).toEqual([
        expect.objectContaining({ removed: [bob], by: bob, memberIds: expect.not.arrayContaining([bob]) }),
        expect.objectContaining({ removed: [carol], by: alice, memberIds: [alice, dave].sort() }),
      ]);
      expect(answerTo(effects, kick, 'conversation').memberIds).toEqual([alice, dave].sort());

      const removedSend = commands.send(carol, conversationId, 'still-here');
      const after = await h.run(removedSend, commands.send(alice, conversationId, 'bye'));
      expect(answerTo(after, removedSend, 'error').code).toBe('not_member');
      expect(storedMessages(after)[0].recipientIds.sort()).toEqual([alice, dave].sort());
      const again = commands.removeMember(alice, conversationId, carol);
      expect(answerTo(await h.run(again), again, 'error').code).toBe('conflict');
    });

    it('answers the last member leaving with the empty group', async () => {
      const conversationId = await group(alice, [bob]);
      await h.run(commands.removeMember(bob, conversationId, bob));
      const leave = commands.removeMember(alice, conversationId, alice);
      const effects = await h.run(leave);
      expect(answerTo(effects, leave, 'conversation')).toMatchObject({ conversationId, kind: 'group', memberIds: [] });
      expect(membershipChanges(effects)).toEqual([expect.objectContaining({ memberIds: [], removed: [alice] })]);
    });

    it('never changes a direct conversation', async () => {
      await h.run(commands.openDirect(bob, dave));
      const remove = commands.removeMember(bob, directConversationId(bob, dave), dave);
      expect(answerTo(await h.run(remove), remove, 'error').code).toBe('forbidden');
    });
  });

  describe('list-conversations', () => {
    it("lists the user's conversations, most recently active first, with unread counts", async () => {
      const [erin, frank] = await h.users(2);
      const quiet = await group(erin, [frank], 'Quiet');
      const busy = await group(erin, [frank], 'Busy');
      await h.run(commands.openDirect(erin, frank));
      await h.run(commands.send(frank, busy, 'b1'), commands.send(frank, busy, 'b2'), commands.send(erin, busy, 'b3'));
      await h.run(commands.receipt(erin, busy, 1, 'read'));
      const list = commands.list(erin);
      const { items } = answerTo(await h.run(list), list, 'conversations');
      expect(items.map((item) => item.title ?? 'direct')).toEqual(['Busy', 'direct', 'Quiet']);
      // erin's own message counts as read: seq 3 is hers, so nothing is unread after it.
      expect(items[0]).toMatchObject({ conversationId: busy, lastSeq: 3, unread: 0 });
      const frankList = commands.list(frank);
      const frankItems = answerTo(await h.run(frankList), frankList, 'conversations').items;
      expect(frankItems.find((item) => item.conversationId === busy)).toMatchObject({ unread: 1 });
      expect(frankItems.find((item) => item.conversationId === quiet)).toMatchObject({ unread: 0, memberIds: [erin, frank].sort() });
    });

    it('answers an empty list to a user without conversations', async () => {
      const [loner] = await h.users(1);
      const list = commands.list(loner);
      expect(answerTo(await h.run(list), list, 'conversations').items).toEqual([]);
    });
  });
});
