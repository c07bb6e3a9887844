import { randomUUID } from 'node:crypto';
import { MembershipView } from './membership-view';

const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

describe('MembershipView', () => {
  it('knows the members of each conversation and the conversations of each user', () => {
    const view = new MembershipView();
    const direct = randomUUID();
    const group = randomUUID();
    view.apply(direct, { kind: 'direct', memberIds: [alice, bob] });
    view.apply(group, { kind: 'group', title: 'Team', memberIds: [alice, carol, dave] });

    expect(view.get(group)).toEqual({ kind: 'group', title: 'Team', memberIds: [alice, carol, dave] });
    expect(view.isMember(direct, bob)).toBe(true);
    expect(view.isMember(direct, carol)).toBe(false);
    expect([...view.conversationsOf(alice)].sort()).toEqual([direct, group].sort());
    expect(view.size).toBe(2);
  });

  it('lists contacts as everyone sharing a conversation, once, without the user', () => {
    const view = new MembershipView();
    view.apply(randomUUID(), { kind: 'direct', memberIds: [alice, bob] });
    view.apply(randomUUID(), { kind: 'group', title: 'T', memberIds: [alice, bob, carol] });
    view.apply(randomUUID(), { kind: 'direct', memberIds: [carol, dave] });

    expect([...view.contactsOf(alice)].sort()).toEqual([bob, carol].sort());
    expect([...view.contactsOf(dave)]).toEqual([carol]);
    expect(view.contactsOf(randomUUID()).size).toBe(0);
  });

  it('replaces the member list with the latest record: removed members lose the conversation', () => {
    const view = new MembershipView();
    const group = randomUUID();
    view.apply(group, { kind: 'group', title: 'T', memberIds: [alice, bob, carol] });
    view.apply(group, { kind: 'group', title: 'T', memberIds: [alice, carol] });

    expect(view.isMember(group, bob)).toBe(false);
    expect(view.conversationsOf(bob).size).toBe(0);
    expect([...view.contactsOf(alice)]).toEqual([carol]);
  });

  it('keeps a group whose last member left, with nobody in it', () => {
    const view = new MembershipView();
    const group = randomUUID();
    view.apply(group, { kind: 'group', title: 'T', memberIds: [alice] });
    view.apply(group, { kind: 'group', title: 'T', memberIds: [] });

    expect(view.get(group)?.memberIds).toEqual([]);
    expect(view.isMember(group, alice)).toBe(false);
  });

  it('forgets a conversation on a tombstone', () => {
    const view = new MembershipView();
    const direct = randomUUID();
    view.apply(direct, { kind: 'direct', memberIds: [alice, bob] });
    view.apply(direct, null);

    expect(view.get(direct)).toBeUndefined();
    expect(view.contactsOf(alice).size).toBe(0);
    expect(view.size).toBe(0);
    view.apply(randomUUID(), null);
    expect(view.size).toBe(0);
  });

  it('does not share the caller’s array', () => {
    const view = new MembershipView();
    const group = randomUUID();
    const memberIds = [alice, bob];
    view.apply(group, { kind: 'group', title: 'T', memberIds });
    memberIds.push(carol);
    expect(view.get(group)?.memberIds).toEqual([alice, bob]);
  });
});
