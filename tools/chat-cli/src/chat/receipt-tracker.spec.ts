import { ReceiptTracker } from './receipt-tracker';

describe('ReceiptTracker', () => {
  it("reports which of this user's messages a receipt newly covers, each once per status", () => {
    const tracker = new ReceiptTracker();
    for (const seq of [2, 4, 5]) tracker.noteMine('c1', seq);
    expect(tracker.apply({ conversationId: 'c1', userId: 'bob', seq: 3, status: 'delivered' })).toEqual([2]);
    expect(tracker.apply({ conversationId: 'c1', userId: 'bob', seq: 5, status: 'delivered' })).toEqual([4, 5]);
    expect(tracker.apply({ conversationId: 'c1', userId: 'bob', seq: 5, status: 'delivered' })).toEqual([]);
    expect(tracker.apply({ conversationId: 'c1', userId: 'bob', seq: 4, status: 'read' })).toEqual([2, 4]);
    // Another member's progress is their own; another conversation has none of these messages.
    expect(tracker.apply({ conversationId: 'c1', userId: 'carol', seq: 9, status: 'read' })).toEqual([2, 4, 5]);
    expect(tracker.apply({ conversationId: 'c2', userId: 'bob', seq: 9, status: 'read' })).toEqual([]);
  });

  it('counts a read as delivered too, and never moves a position back', () => {
    const tracker = new ReceiptTracker();
    tracker.noteMine('c1', 1);
    tracker.noteMine('c1', 3);
    expect(tracker.lastMine('c1')).toBe(3);
    expect(tracker.apply({ conversationId: 'c1', userId: 'bob', seq: 3, status: 'read' })).toEqual([1, 3]);
    expect(tracker.position('c1', 'bob', 'delivered')).toBe(3);
    expect(tracker.apply({ conversationId: 'c1', userId: 'bob', seq: 2, status: 'delivered' })).toEqual([]);
    expect(tracker.position('c1', 'bob', 'read')).toBe(3);
    expect(tracker.position('c1', 'nobody', 'read')).toBe(0);
  });
});
