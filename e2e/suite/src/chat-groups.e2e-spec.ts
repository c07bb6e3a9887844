import { ChatRequestError, roleOf } from '@chat/client-sdk';
import type { ConversationSummary } from '@chat/protocol';
import { expectEventually, rejectionOf } from '@chat/testing';
import { useChatSuite } from './support/chat-suite';
import { type TestDevice, type TestUser, useChatUsers } from './support/chat-users';

/*
 * Groups people run, as users see them through the SDK against all five services: roles (owner,
 * admins, members) decide who may add, remove, rename, make admins and hand the group over; a
 * removed member reads nothing that comes after; the operator's quotas on groups answer with clear
 * errors. Persistence runs with small quotas so they can be reached: 3 groups per user and hour, 4
 * members per group.
 */

const GROUPS_PER_HOUR = 3;
const MAX_MEMBERS = 4;

const suite = useChatSuite({
  label: 'groups',
  env: { GROUPS_PER_USER_PER_HOUR: String(GROUPS_PER_HOUR), GROUP_MAX_MEMBERS: String(MAX_MEMBERS) },
});
const users = useChatUsers(suite);

/** Checks that a request was refused with `code` and a message a user can act on. */
async function refusal(request: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await rejectionOf(request, ChatRequestError);
  expect({ code: error.code, message: error.message }).toEqual({ code, message: expect.stringMatching(message) });
}

/** Registers `count` users, the first creates a group of them all, then each connects (and lists it). */
async function groupOf(count: number, title = 'Climbing'): Promise<{ members: TestUser[]; devices: TestDevice[]; groupId: string }> {
  const members = await users.registerMany(count, 'member');
  const [owner, ...others] = members as [TestUser, ...TestUser[]];
  const ownerDevice = await users.connect(owner);
  const group = await ownerDevice.client.createGroup(title, others.map((user) => user.userId));
  expect(group).toMatchObject({ kind: 'group', title, ownerId: owner.userId, adminIds: [] });
  const devices = [ownerDevice, ...(await Promise.all(others.map((user) => users.connect(user))))];
  for (const device of devices) expect(device.client.conversation(group.conversationId).summary?.ownerId).toBe(owner.userId);
  return { members, devices, groupId: group.conversationId };
}

/** A round trip on the device's socket: every frame the server wrote to it before has arrived. */
async function drained(device: TestDevice): Promise<void> {
  await device.client.ping();
}

describe('groups people run, end to end', () => {
  it('only the owner and admins add and remove; a member gets forbidden naming the role needed; the owner makes admins', async () => {
    const { members, devices, groupId } = await groupOf(3);
    const [owner, bob, carol] = members as [TestUser, TestUser, TestUser];
    const [o, b] = devices as [TestDevice, TestDevice, TestDevice];
    const [dave, erin] = await users.registerMany(2, 'outsider');
    if (!dave || !erin) throw new Error('registration failed');

    // Bob is a member: he may neither add, remove, rename nor make admins.
    await refusal(b.client.addMembers(groupId, [dave.userId]), 'forbidden', /only the group's owner or admins may add members; you are a member/);
    await refusal(b.client.removeMember(groupId, carol.userId), 'forbidden', /only the group's owner or admins may remove others/);
    await refusal(b.client.renameGroup(groupId, 'Bob rules'), 'forbidden', /only the group's owner or admins may rename the group/);
    await refusal(b.client.setMemberRole(groupId, bob.userId, 'admin'), 'forbidden', /only the group's owner may make or unmake admins/);

    // The owner makes him an admin; every member is told, and sees his role.
    await expect(o.client.setMemberRole(groupId, bob.userId, 'admin')).resolves.toMatchObject({ ownerId: owner.userId, adminIds: [bob.userId] });
    await expectEventually(() => {
      for (const device of devices) {
        expect(device.groupUpdated.filter((frame) => frame.conversationId === groupId)).toEqual([
          { type: 'group_updated', conversationId: groupId, title: 'Climbing', ownerId: owner.userId, adminIds: [bob.userId], changed: ['roles'], by: owner.userId },
        ]);
        const summary = device.client.conversation(groupId).summary;
        expect(summary && roleOf(summary, bob.userId)).toBe('admin');
      }
    });

    // As an admin he adds and removes members, but not the owner, and makes no admins.
    await expect(b.client.addMembers(groupId, [dave.userId])).resolves.toMatchObject({ memberIds: expect.arrayContaining([dave.userId]) });
    await expect(b.client.removeMember(groupId, carol.userId)).resolves.toMatchObject({ memberIds: expect.not.arrayContaining([carol.userId]) });
    await refusal(b.client.removeMember(groupId, owner.userId), 'forbidden', /the group's owner cannot be removed/);
    await refusal(b.client.setMemberRole(groupId, dave.userId, 'admin'), 'forbidden', /only the group's owner may make or unmake admins; you are an admin/);
    await expectEventually(() => {
      expect(o.memberAdded.filter((frame) => frame.conversationId === groupId).at(-1)).toMatchObject({ userIds: [dave.userId], by: bob.userId });
      expect(o.memberRemoved.filter((frame) => frame.conversationId === groupId)).toEqual([{ type: 'member_removed', conversationId: groupId, userId: carol.userId, by: bob.userId }]);
    });
    // The group as everyone now lists it; a fresh device of the new member sees it too.
    const d = await users.connect(dave);
    expect(d.client.conversation(groupId).summary).toMatchObject({ ownerId: owner.userId, adminIds: [bob.userId], memberIds: expect.arrayContaining([dave.userId]) });
    expect(d.client.conversation(groupId).summary?.memberIds).toHaveLength(3);
    // Direct conversations have no roles to change.
    const direct = await o.client.openDirect(erin.userId);
    await refusal(o.client.renameGroup(direct.conversationId, 'Us'), 'forbidden', /a direct conversation cannot be changed/);
  });

  it('members leave; the owner hands the group over before leaving; a rename reaches every member and device', async () => {
    const { members, devices, groupId } = await groupOf(3, 'Book club');
    const [owner, bob, carol] = members as [TestUser, TestUser, TestUser];
    const [o, b, c] = devices as [TestDevice, TestDevice, TestDevice];
    const bobsLaptop = await users.connect(bob);

    await expect(c.client.removeMember(groupId, carol.userId)).resolves.toMatchObject({ memberIds: [owner.userId, bob.userId].sort() });
    await expectEventually(() => {
      for (const device of [o, b, c]) expect(device.memberRemoved).toEqual([{ type: 'member_removed', conversationId: groupId, userId: carol.userId, by: carol.userId }]);
    });

    await refusal(o.client.removeMember(groupId, owner.userId), 'forbidden', /the owner cannot leave while others are in the group: hand it over first/);
    await expect(o.client.renameGroup(groupId, 'Book club (fiction)')).resolves.toMatchObject({ title: 'Book club (fiction)' });
    await expectEventually(() => {
      for (const device of [o, b, bobsLaptop]) {
        expect(device.groupUpdated.map((frame) => [frame.title, frame.changed, frame.by])).toEqual([['Book club (fiction)', ['title'], owner.userId]]);
        expect(device.client.conversation(groupId).summary?.title).toBe('Book club (fiction)');
      }
    });

    await expect(o.client.transferOwnership(groupId, bob.userId)).resolves.toMatchObject({ ownerId: bob.userId, adminIds: [owner.userId] });
    await expectEventually(() => {
      for (const device of [o, b, bobsLaptop]) {
        const summary = device.client.conversation(groupId).summary;
        expect(summary && [roleOf(summary, bob.userId), roleOf(summary, owner.userId)]).toEqual(['owner', 'admin']);
      }
    });
    // The old owner may leave now; the new one has the owner's rights.
    await expect(o.client.removeMember(groupId, owner.userId)).resolves.toMatchObject({ memberIds: [bob.userId] });
    await expectEventually(() => expect(b.memberRemoved.map((frame) => frame.userId)).toEqual([carol.userId, owner.userId]));
    await expect(b.client.renameGroup(groupId, 'Just me')).resolves.toMatchObject({ title: 'Just me', ownerId: bob.userId, adminIds: [] });
    // Alone in it, the owner may leave too.
    await expect(b.client.removeMember(groupId, bob.userId)).resolves.toMatchObject({ memberIds: [] });
    expect((await b.client.listConversations()).map((item) => item.conversationId)).not.toContain(groupId);
  });

  it('a removed member gets nothing that comes after: no message, rename or typing is pushed, and history and sync answer not_member', async () => {
    const { members, devices, groupId } = await groupOf(3, 'Secrets');
    const [, bob, carol] = members as [TestUser, TestUser, TestUser];
    const [o, b, c] = devices as [TestDevice, TestDevice, TestDevice];
    await o.client.sendAndWaitStored(groupId, 'before');
    await expectEventually(() => expect(c.seen(groupId)).toEqual([[1, 'before']]));

    await o.client.removeMember(groupId, carol.userId);
    await expectEventually(() => expect(c.memberRemoved.map((frame) => frame.userId)).toEqual([carol.userId]));
    await o.client.sendAndWaitStored(groupId, 'after');
    await o.client.renameGroup(groupId, 'Secrets, renamed');
    b.client.typing(groupId, true);
    await expectEventually(() => {
      expect(b.seen(groupId)).toEqual([
        [1, 'before'],
        [2, 'after'],
      ]);
      expect(b.groupUpdated.map((frame) => frame.title)).toEqual(['Secrets, renamed']);
      expect(o.typing.map((frame) => frame.userId)).toContain(bob.userId);
    });
    // One gateway holds every device, and it writes a frame to all its recipients there at once: the
    // others got these, so after a round trip on carol's socket anything addressed to her is in.
    await drained(c);
    expect(c.seen(groupId)).toEqual([[1, 'before']]);
    const removedAt = c.frames.findIndex((frame) => frame.type === 'member_removed' && frame.conversationId === groupId);
    expect(c.frames.slice(removedAt + 1).filter((frame) => 'conversationId' in frame && frame.conversationId === groupId)).toEqual([]);

    await refusal(c.client.history(groupId), 'not_member', /not a member/);
    await refusal(c.client.sync([{ conversationId: groupId, afterSeq: 0 }]), 'not_member', /not a member/);
    await refusal(c.client.sendAndWaitStored(groupId, 'let me back in'), 'not_member', /not a member/);
    // A new device of hers does not even list it.
    const laptop = await users.connect(carol);
    expect(laptop.client.conversationIds()).not.toContain(groupId);
    expect(laptop.seen(groupId)).toEqual([]);
    expect((await o.client.history(groupId)).messages.map((message) => message.body)).toEqual(['before', 'after']);
  });

  it(`a user creates at most ${GROUPS_PER_HOUR} groups an hour: the next is quota_exceeded saying when, a retried create is answered and not counted`, async () => {
    const [creator, friend] = await users.registerMany(2, 'quota');
    if (!creator || !friend) throw new Error('registration failed');
    const device = await users.connect(creator);
    const created: ConversationSummary[] = [];
    for (let n = 1; n <= GROUPS_PER_HOUR; n++) created.push(await device.client.createGroup(`Group ${n}`, [friend.userId], { clientGroupId: `quota-${n}` }));

    await refusal(device.client.createGroup('One too many', [friend.userId]), 'quota_exceeded', /you may create at most 3 groups per hour; the next one in \d+ min \(at \d{4}-/);
    // Retrying a create that went through (its answer was lost, say) still answers with its group.
    await expect(device.client.createGroup('Group 2', [friend.userId], { clientGroupId: 'quota-2' })).resolves.toMatchObject({ conversationId: created[1]?.conversationId });
    const groups = (await device.client.listConversations()).filter((item) => item.kind === 'group');
    expect(groups.map((item) => item.title).sort()).toEqual(['Group 1', 'Group 2', 'Group 3']);
    // The quota is the creator's: the friend creates as usual.
    const f = await users.connect(friend);
    await expect(f.client.createGroup('Mine', [creator.userId])).resolves.toMatchObject({ ownerId: friend.userId });
  });

  it(`a group holds at most ${MAX_MEMBERS} members, its owner included: beyond, quota_exceeded`, async () => {
    const [owner, ...others] = await users.registerMany(MAX_MEMBERS + 1, 'crowd');
    if (!owner) throw new Error('registration failed');
    const device = await users.connect(owner);
    const ids = others.map((user) => user.userId);
    await refusal(device.client.createGroup('Too big', ids), 'quota_exceeded', /a group may have at most 4 members, its owner included; this one would have 5/);

    const group = await device.client.createGroup('Full house', ids.slice(0, MAX_MEMBERS - 2));
    await expect(device.client.addMembers(group.conversationId, ids.slice(MAX_MEMBERS - 2, MAX_MEMBERS - 1))).resolves.toMatchObject({ memberIds: expect.any(Array) });
    await refusal(device.client.addMembers(group.conversationId, ids.slice(MAX_MEMBERS - 1)), 'quota_exceeded', /a group may have at most 4 members/);
    expect((await device.client.listConversations()).find((item) => item.conversationId === group.conversationId)?.memberIds).toHaveLength(MAX_MEMBERS);
  });
});
