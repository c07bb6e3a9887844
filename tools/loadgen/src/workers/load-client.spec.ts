import { isRepeat } from './load-client';

describe('isRepeat (light client)', () => {
  it('counts each seq of a conversation once and flags what comes again or out of order', () => {
    const lastSeq = new Map<string, number>();
    expect(isRepeat(lastSeq, { conversationId: 'a', seq: 1 })).toBe(false);
    expect(isRepeat(lastSeq, { conversationId: 'a', seq: 2 })).toBe(false);
    expect(isRepeat(lastSeq, { conversationId: 'b', seq: 1 })).toBe(false);
    expect(isRepeat(lastSeq, { conversationId: 'a', seq: 2 })).toBe(true);
    expect(isRepeat(lastSeq, { conversationId: 'a', seq: 1 })).toBe(true);
    expect(isRepeat(lastSeq, { conversationId: 'a', seq: 5 })).toBe(false);
  });
});
