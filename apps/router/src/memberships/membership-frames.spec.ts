import { randomUUID } from 'node:crypto';
import { membershipNotices } from './membership-frames';

const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
const conversationId = randomUUID();

describe('membershipNotices', () => {
  it('tells every member, the new ones included, who was added', () => {
    expect(membershipNotices({ conversationId, kind: 'group', title: 'T', memberIds: [alice, bob, carol], added: [carol], removed: [], by: alice })).toEqual([
      { frame: { type: 'member_added', conversationId, userIds: [carol], by: alice }, userIds: [alice, bob, carol] },
    ]);
  });

  it('tells the remaining members and the removed user about a removal', () => {
    expect(membershipNotices({ conversationId, kind: 'group', title: 'T', memberIds: [alice], added: [], removed: [bob, carol], by: alice })).toEqual([
      { frame: { type: 'member_removed', conversationId, userId: bob, by: alice }, userIds: [alice, bob] },
      { frame: { type: 'member_removed', conversationId, userId: carol, by: alice }, userIds: [alice, carol] },
    ]);
  });

  it('tells every member of a renamed group, or one whose roles changed, its title and roles', () => {
    const group = { conversationId, kind: 'group' as const, title: 'New', memberIds: [alice, bob, carol], ownerId: bob, adminIds: [alice], added: [], removed: [] };
    expect(membershipNotices({ ...group, changed: ['roles'], by: alice })).toEqual([
      { frame: { type: 'group_updated', conversationId, title: 'New', ownerId: bob, adminIds: [alice], changed: ['roles'], by: alice }, userIds: [alice, bob, carol] },
    ]);
    expect(membershipNotices({ ...group, changed: ['title'], by: carol })).toEqual([
      { frame: { type: 'group_updated', conversationId, title: 'New', ownerId: bob, adminIds: [alice], changed: ['title'], by: carol }, userIds: [alice, bob, carol] },
    ]);
    // A change of members only (a removed admin included) says nothing more than member_removed.
    expect(membershipNotices({ ...group, adminIds: [], removed: [alice], memberIds: [bob, carol], by: bob }).map((notice) => notice.frame.type)).toEqual(['member_removed']);
  });

  it('tells a user leaving the last seat of a group, and both users of a new direct conversation', () => {
    expect(membershipNotices({ conversationId, kind: 'group', title: 'T', memberIds: [], added: [], removed: [bob], by: bob })).toEqual([
      { frame: { type: 'member_removed', conversationId, userId: bob, by: bob }, userIds: [bob] },
    ]);
    expect(membershipNotices({ conversationId, kind: 'direct', memberIds: [alice, bob], added: [alice, bob], removed: [], by: alice })).toEqual([
      { frame: { type: 'member_added', conversationId, userIds: [alice, bob], by: alice }, userIds: [alice, bob] },
    ]);
  });
});
