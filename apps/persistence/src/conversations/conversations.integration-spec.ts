import { randomUUID } from 'node:crypto';
import { directConversationId, groupConversationId, MAX_GROUP_MEMBERS, Topics } from '@chat/protocol';
import { answersTo, answerTo, commands, type Harness, membershipChanges, startHarness, storedMessages } from '../../test/harness';

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

  /** The group as `reader` lists it. */
  async function listed(reader: string, conversationId: string) {
    const list = commands.list(reader);
    return answerTo(await h.run(list), list, 'conversations').items.find((item) => item.conversationId === conversationId);
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
    it('makes the creator its owner and the named users members, and announces them', async () => {
      const create = commands.createGroup(alice, 'Climbing', [bob, carol]);
      const effects = await h.run(create);
      const frame = answerTo(effects, create, 'conversation');
      expect(frame).toMatchObject({ kind: 'group', title: 'Climbing', ownerId: alice, adminIds: [], lastSeq: 0, unread: 0 });
      expect([...frame.memberIds].sort()).toEqual([alice, bob, carol].sort());
      const [change] = membershipChanges(effects);
      expect(change).toMatchObject({ conversationId: frame.conversationId, kind: 'group', title: 'Climbing', ownerId: alice, adminIds: [], removed: [], by: alice });
      expect(change.changed).toBeUndefined();
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
      const groupsOf = (creator: string) => h.dataSource.query<unknown[]>('select 1 from conversations where created_by = $1', [creator]);
      const before = (await groupsOf(alice)).length;
      const create = commands.createGroup(alice, 'Nope', [bob, stranger]);
      const effects = await h.run(create);
      expect(answerTo(effects, create, 'error')).toMatchObject({ code: 'not_found', message: expect.stringContaining(stranger) });
      // Titles are stored sealed: counted by creator.
      expect(await groupsOf(alice)).toHaveLength(before);
    });
  });

  describe('add-members', () => {
    it('lets the owner and admins add users, as members, who start with nothing unread and receive what follows', async () => {
      const conversationId = await group(alice, [bob]);
      await h.run(commands.send(alice, conversationId, 'before'));
      await h.run(commands.setMemberRole(alice, conversationId, bob, 'admin'));
      const add = commands.addMembers(bob, conversationId, [carol, alice]);
      const effects = await h.run(add);
      expect(membershipChanges(effects)).toEqual([
        {
          conversationId,
          kind: 'group',
          title: 'Group',
          memberIds: expect.arrayContaining([alice, bob, carol]),
          ownerId: alice,
          adminIds: [bob],
          added: [carol],
          removed: [],
          by: bob,
        },
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

    it('refuses members, non-members, direct conversations, users already in and unknown users', async () => {
      const conversationId = await group(alice, [bob]);
      await h.run(commands.openDirect(alice, carol));
      const member = commands.addMembers(bob, conversationId, [dave]);
      const outsider = commands.addMembers(carol, conversationId, [dave]);
      const direct = commands.addMembers(alice, directConversationId(alice, carol), [dave]);
      const already = commands.addMembers(alice, conversationId, [bob]);
      const unknown = commands.addMembers(alice, conversationId, [randomUUID()]);
      const effects = await h.run(member, outsider, direct, already, unknown);
      expect(answerTo(effects, member, 'error')).toMatchObject({ code: 'forbidden', message: "only the group's owner or admins may add members; you are a member" });
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
      expect(answerTo(await h.run(add), add, 'error')).toMatchObject({
        code: 'quota_exceeded',
        message: `a group may have at most ${MAX_GROUP_MEMBERS} members, its owner included; this one would have ${MAX_GROUP_MEMBERS + 1}`,
      });
    });
  });

  describe('remove-member', () => {
    it('lets members leave, admins remove members and the owner remove anyone; the removed get nothing more', async () => {
      const [erin] = await h.users(1);
      const conversationId = await group(alice, [bob, carol, dave, erin]);
      await h.run(commands.setMemberRole(alice, conversationId, bob, 'admin'), commands.setMemberRole(alice, conversationId, erin, 'admin'));
      const memberKicks = commands.removeMember(carol, conversationId, dave);
      const adminKicksAdmin = commands.removeMember(bob, conversationId, erin);
      const adminKicksOwner = commands.removeMember(bob, conversationId, alice);
      const leave = commands.removeMember(dave, conversationId, dave);
      const adminKicks = commands.removeMember(bob, conversationId, carol);
      const ownerKicksAdmin = commands.removeMember(alice, conversationId, erin);
      const effects = await h.run(memberKicks, adminKicksAdmin, adminKicksOwner, leave, adminKicks, ownerKicksAdmin);
      expect(answerTo(effects, memberKicks, 'error')).toMatchObject({ code: 'forbidden', message: expect.stringContaining("only the group's owner or admins may remove others") });
      expect(answerTo(effects, adminKicksAdmin, 'error')).toMatchObject({ code: 'forbidden', message: "only the group's owner may remove an admin" });
      expect(answerTo(effects, adminKicksOwner, 'error')).toMatchObject({ code: 'forbidden', message: expect.stringContaining("the group's owner cannot be removed") });
      expect(membershipChanges(effects)).toEqual([
        expect.objectContaining({ removed: [dave], by: dave, adminIds: [bob, erin].sort() }),
        expect.objectContaining({ removed: [carol], by: bob }),
        // A removed admin is no admin any more.
        expect.objectContaining({ removed: [erin], by: alice, memberIds: [alice, bob].sort(), ownerId: alice, adminIds: [bob] }),
      ]);
      expect(answerTo(effects, ownerKicksAdmin, 'conversation')).toMatchObject({ memberIds: [alice, bob].sort(), ownerId: alice, adminIds: [bob] });

      const removedSend = commands.send(carol, conversationId, 'still-here');
      const after = await h.run(removedSend, commands.send(alice, conversationId, 'bye'));
      expect(answerTo(after, removedSend, 'error').code).toBe('not_member');
      expect(storedMessages(after)[0].recipientIds.sort()).toEqual([alice, bob].sort());
      const again = commands.removeMember(alice, conversationId, carol);
      expect(answerTo(await h.run(again), again, 'error').code).toBe('conflict');
    });

    it('a removed member reads nothing that comes after: no message is addressed to them, history and sync answer not_member', async () => {
      const conversationId = await group(alice, [bob, carol]);
      await h.run(commands.send(alice, conversationId, 'before'));
      await h.run(commands.removeMember(alice, conversationId, carol));
      const [after] = storedMessages(await h.run(commands.send(bob, conversationId, 'after')));
      expect(after.recipientIds).not.toContain(carol);
      const history = commands.history(carol, conversationId, 10);
      const sync = commands.sync(carol, [{ conversationId, afterSeq: 0 }]);
      const receipt = commands.receipt(carol, conversationId, 2, 'read');
      const reads = await h.run(history, sync, receipt);
      expect(answersTo(reads, history)).toEqual([expect.objectContaining({ type: 'error', code: 'not_member' })]);
      expect(answersTo(reads, sync)).toEqual([expect.objectContaining({ type: 'error', code: 'not_member' })]);
      expect(answersTo(reads, receipt)).toEqual([expect.objectContaining({ type: 'error', code: 'not_member' })]);
      expect(await listed(carol, conversationId)).toBeUndefined();
    });

    it('keeps the owner until they hand the group over, except as its last member', async () => {
      const conversationId = await group(alice, [bob]);
      const ownerLeaves = commands.removeMember(alice, conversationId, alice);
      expect(answerTo(await h.run(ownerLeaves), ownerLeaves, 'error')).toMatchObject({
        code: 'forbidden',
        message: 'the owner cannot leave while others are in the group: hand it over first (transfer_ownership)',
      });
      await h.run(commands.removeMember(bob, conversationId, bob));
      const leave = commands.removeMember(alice, conversationId, alice);
      const effects = await h.run(leave);
      const frame = answerTo(effects, leave, 'conversation');
      expect(frame).toMatchObject({ conversationId, kind: 'group', memberIds: [] });
      expect(frame.ownerId).toBeUndefined();
      expect(membershipChanges(effects)).toEqual([expect.objectContaining({ memberIds: [], removed: [alice] })]);
    });

    it('never changes a direct conversation', async () => {
      await h.run(commands.openDirect(bob, dave));
      const remove = commands.removeMember(bob, directConversationId(bob, dave), dave);
      expect(answerTo(await h.run(remove), remove, 'error').code).toBe('forbidden');
    });
  });

  describe('rename-group', () => {
    it('lets the owner and admins rename, announcing the new title with the roles; members may not', async () => {
      const conversationId = await group(alice, [bob, carol], 'Old');
      await h.run(commands.setMemberRole(alice, conversationId, bob, 'admin'));
      const byMember = commands.renameGroup(carol, conversationId, 'Mine');
      const byAdmin = commands.renameGroup(bob, conversationId, 'New');
      const effects = await h.run(byMember, byAdmin);
      expect(answerTo(effects, byMember, 'error')).toMatchObject({ code: 'forbidden', message: "only the group's owner or admins may rename the group; you are a member" });
      expect(answerTo(effects, byAdmin, 'conversation')).toMatchObject({ conversationId, title: 'New', ownerId: alice, adminIds: [bob] });
      expect(membershipChanges(effects)).toEqual([
        { conversationId, kind: 'group', title: 'New', memberIds: [alice, bob, carol].sort(), ownerId: alice, adminIds: [bob], added: [], removed: [], changed: ['title'], by: bob },
      ]);
      expect(await listed(carol, conversationId)).toMatchObject({ title: 'New' });
      // The same title again changes and announces nothing: a retried rename answers alike.
      const again = commands.renameGroup(alice, conversationId, 'New');
      const repeated = await h.run(again);
      expect(answerTo(repeated, again, 'conversation').title).toBe('New');
      expect(membershipChanges(repeated)).toEqual([]);
    });

    it('refuses a direct conversation and non-members', async () => {
      await h.run(commands.openDirect(carol, dave));
      const direct = commands.renameGroup(carol, directConversationId(carol, dave), 'Us');
      const conversationId = await group(alice, [bob]);
      const outsider = commands.renameGroup(dave, conversationId, 'Hijacked');
      const effects = await h.run(direct, outsider);
      expect(answerTo(effects, direct, 'error')).toMatchObject({ code: 'forbidden', message: expect.stringContaining('a direct conversation cannot be changed') });
      expect(answerTo(effects, outsider, 'error').code).toBe('not_member');
    });
  });

  describe('set-member-role', () => {
    it('lets only the owner make and unmake admins, announcing the roles', async () => {
      const conversationId = await group(alice, [bob, carol]);
      const promote = commands.setMemberRole(alice, conversationId, bob, 'admin');
      const byAdmin = commands.setMemberRole(bob, conversationId, carol, 'admin');
      const byMember = commands.setMemberRole(carol, conversationId, carol, 'admin');
      const ownRole = commands.setMemberRole(alice, conversationId, alice, 'member');
      const stranger = commands.setMemberRole(alice, conversationId, dave, 'admin');
      const effects = await h.run(promote, byAdmin, byMember, ownRole, stranger);
      expect(answerTo(effects, promote, 'conversation')).toMatchObject({ ownerId: alice, adminIds: [bob] });
      expect(answerTo(effects, byAdmin, 'error')).toMatchObject({ code: 'forbidden', message: "only the group's owner may make or unmake admins; you are an admin" });
      expect(answerTo(effects, byMember, 'error')).toMatchObject({ code: 'forbidden', message: "only the group's owner may make or unmake admins; you are a member" });
      expect(answerTo(effects, ownRole, 'error')).toMatchObject({ code: 'forbidden', message: expect.stringContaining('transfer_ownership') });
      expect(answerTo(effects, stranger, 'error').code).toBe('conflict');
      expect(membershipChanges(effects)).toEqual([expect.objectContaining({ ownerId: alice, adminIds: [bob], changed: ['roles'], by: alice, added: [], removed: [] })]);

      const again = commands.setMemberRole(alice, conversationId, bob, 'admin');
      expect(membershipChanges(await h.run(again))).toEqual([]);
      const demote = commands.setMemberRole(alice, conversationId, bob, 'member');
      const demoted = await h.run(demote);
      expect(answerTo(demoted, demote, 'conversation')).toMatchObject({ ownerId: alice, adminIds: [] });
      expect(membershipChanges(demoted)).toEqual([expect.objectContaining({ adminIds: [], changed: ['roles'] })]);
      const byDemoted = commands.addMembers(bob, conversationId, [dave]);
      expect(answerTo(await h.run(byDemoted), byDemoted, 'error').code).toBe('forbidden');
    });
  });

  describe('transfer-ownership', () => {
    it('hands the group over: the new owner has every right, the old one stays as an admin and may leave', async () => {
      const conversationId = await group(alice, [bob, carol]);
      const byMember = commands.transferOwnership(bob, conversationId, bob);
      const toStranger = commands.transferOwnership(alice, conversationId, dave);
      const handOver = commands.transferOwnership(alice, conversationId, bob);
      const effects = await h.run(byMember, toStranger, handOver);
      expect(answerTo(effects, byMember, 'error')).toMatchObject({ code: 'forbidden', message: "only the group's owner may hand the group over; you are a member" });
      expect(answerTo(effects, toStranger, 'error').code).toBe('conflict');
      expect(answerTo(effects, handOver, 'conversation')).toMatchObject({ ownerId: bob, adminIds: [alice] });
      expect(membershipChanges(effects)).toEqual([expect.objectContaining({ ownerId: bob, adminIds: [alice], changed: ['roles'], by: alice })]);
      expect(await listed(carol, conversationId)).toMatchObject({ ownerId: bob, adminIds: [alice] });

      // A retry of the transfer that went through answers with the group as it is.
      const retry = commands.transferOwnership(alice, conversationId, bob);
      const retried = await h.run(retry);
      expect(answerTo(retried, retry, 'conversation')).toMatchObject({ ownerId: bob });
      expect(membershipChanges(retried)).toEqual([]);
      // The old owner lost the owner's rights, the new one has them.
      const oldOwnerPromotes = commands.setMemberRole(alice, conversationId, carol, 'admin');
      const newOwnerPromotes = commands.setMemberRole(bob, conversationId, carol, 'admin');
      const after = await h.run(oldOwnerPromotes, newOwnerPromotes);
      expect(answerTo(after, oldOwnerPromotes, 'error').code).toBe('forbidden');
      expect(answerTo(after, newOwnerPromotes, 'conversation')).toMatchObject({ ownerId: bob, adminIds: [alice, carol].sort() });
      const leave = commands.removeMember(alice, conversationId, alice);
      expect(answerTo(await h.run(leave), leave, 'conversation')).toMatchObject({ memberIds: [bob, carol].sort(), ownerId: bob, adminIds: [carol] });
      const rows = await h.dataSource.query<Array<{ role: string }>>(`select role from members where conversation_id = $1 and role = 'owner'`, [conversationId]);
      expect(rows).toHaveLength(1);
    });

    it("treats a group made by an instance of the release before roles (no owner row) as its creator's, until a transfer writes it down", async () => {
      const conversationId = await group(alice, [bob, carol]);
      await h.dataSource.query(`UPDATE members SET role = 'member' WHERE conversation_id = $1`, [conversationId]);
      expect(await listed(bob, conversationId)).toMatchObject({ ownerId: alice, adminIds: [] });
      const byMember = commands.addMembers(bob, conversationId, [dave]);
      const handOver = commands.transferOwnership(alice, conversationId, carol);
      const effects = await h.run(byMember, handOver);
      expect(answerTo(effects, byMember, 'error').code).toBe('forbidden');
      expect(answerTo(effects, handOver, 'conversation')).toMatchObject({ ownerId: carol, adminIds: [alice] });
      const roles = await h.dataSource.query<Array<{ user_id: string; role: string }>>(`select user_id, role from members where conversation_id = $1 order by user_id`, [conversationId]);
      expect(Object.fromEntries(roles.map((row) => [row.user_id, row.role]))).toEqual({ [alice]: 'admin', [bob]: 'member', [carol]: 'owner' });
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
