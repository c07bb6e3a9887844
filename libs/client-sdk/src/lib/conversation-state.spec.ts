import type { ChatMessage, ConversationSummary } from '@chat/wire';
import { applyGroupChange, ConversationState, roleOf } from './conversation-state';

const conversationId = '00000000-0000-4000-8000-000000000001';

function message(seq: number): ChatMessage {
  return {
    conversationId,
    seq,
    messageId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    senderId: '00000000-0000-4000-8000-0000000000aa',
    clientMsgId: `m${seq}`,
    body: `message ${seq}`,
    kind: 'text',
    sentAt: seq,
    storedAt: seq,
  };
}

const seqs = (messages: readonly ChatMessage[]): number[] => messages.map((m) => m.seq);

describe('ConversationState', () => {
  it('delivers consecutive messages at once and advances lastSeq', () => {
    const state = new ConversationState(conversationId, true);
    expect(seqs(state.accept(message(1)).delivered)).toEqual([1]);
    expect(seqs(state.accept(message(2)).delivered)).toEqual([2]);
    expect(state.lastSeq).toBe(2);
    expect(state.behind).toBe(false);
  });

  it('reports a seq seen before as a duplicate, delivered or still buffered', () => {
    const state = new ConversationState(conversationId, true);
    state.accept(message(1));
    expect(state.accept(message(1))).toEqual({ delivered: [], duplicate: true });
    state.accept(message(3));
    expect(state.accept(message(3))).toEqual({ delivered: [], duplicate: true });
  });

  it('holds messages ahead of a gap until it is filled, then delivers them in seq order', () => {
    const state = new ConversationState(conversationId, true);
    expect(state.accept(message(4)).delivered).toEqual([]);
    expect(state.accept(message(2)).delivered).toEqual([]);
    expect(state.bufferedCount).toBe(2);
    expect(state.behind).toBe(true);
    expect(state.knownLastSeq).toBe(4);
    expect(seqs(state.accept(message(1)).delivered)).toEqual([1, 2]);
    expect(seqs(state.accept(message(3)).delivered)).toEqual([3, 4]);
    expect(state.lastSeq).toBe(4);
    expect(state.bufferedCount).toBe(0);
    expect(seqs(state.messages())).toEqual([1, 2, 3, 4]);
  });

  it('is behind when the server reports a newer seq than delivered', () => {
    const state = new ConversationState(conversationId, true, 2);
    state.noteServerSeq(5);
    expect(state.behind).toBe(true);
    state.noteServerSeq(1);
    expect(state.knownLastSeq).toBe(5);
  });

  it('finds retained messages by seq', () => {
    const state = new ConversationState(conversationId, true);
    for (const seq of [1, 2, 3]) state.accept(message(seq));
    expect(state.message(2)?.seq).toBe(2);
    expect(state.message(9)).toBeUndefined();
  });

  it('retains nothing when asked not to, and still deduplicates', () => {
    const state = new ConversationState(conversationId, false);
    state.accept(message(1));
    expect(state.messages()).toEqual([]);
    expect(state.accept(message(1)).duplicate).toBe(true);
  });

  it('skips ahead without fetching, delivering buffered messages that become contiguous', () => {
    const state = new ConversationState(conversationId, true);
    state.accept(message(6));
    state.accept(message(3));
    expect(seqs(state.skipTo(5))).toEqual([6]);
    expect(state.lastSeq).toBe(6);
    expect(state.bufferedCount).toBe(0);
    expect(state.skipTo(2)).toEqual([]);
  });
});

describe('group summaries', () => {
  const [owner, admin, member, newcomer] = ['a', 'b', 'c', 'd'].map((n) => `00000000-0000-4000-8000-0000000000${n}${n}`);
  const group: ConversationSummary = { conversationId, kind: 'group', title: 'Team', memberIds: [owner, admin, member], ownerId: owner, adminIds: [admin], lastSeq: 0, unread: 0 };

  it("tells each member's role, and none in a direct conversation or for a stranger", () => {
    expect([owner, admin, member, newcomer].map((userId) => roleOf(group, userId))).toEqual(['owner', 'admin', 'member', undefined]);
    const direct: ConversationSummary = { conversationId, kind: 'direct', memberIds: [owner, member], lastSeq: 0, unread: 0 };
    expect(roleOf(direct, owner)).toBeUndefined();
  });

  it('follows members added and removed: newcomers are members, a removed admin is no admin', () => {
    const added = applyGroupChange(group, { type: 'member_added', conversationId, userIds: [newcomer, member], by: admin });
    expect(added.memberIds).toEqual([owner, admin, member, newcomer]);
    expect(roleOf(added, newcomer)).toBe('member');
    const removed = applyGroupChange(added, { type: 'member_removed', conversationId, userId: admin, by: owner });
    expect(removed).toMatchObject({ memberIds: [owner, member, newcomer], ownerId: owner, adminIds: [] });
  });

  it('takes the title and roles of group_updated as they are now', () => {
    const updated = applyGroupChange(group, { type: 'group_updated', conversationId, title: 'Renamed', ownerId: admin, adminIds: [owner, member], changed: ['roles'], by: owner });
    expect(updated).toMatchObject({ title: 'Renamed', memberIds: [owner, admin, member], ownerId: admin, adminIds: [owner, member] });
    expect(roleOf(updated, owner)).toBe('admin');
    // The frame's list is copied, not shared.
    expect(group.adminIds).toEqual([admin]);
  });
});
