import type { ChatMessage, ConversationSummary } from '@chat/wire';
import { applyReceipt, conversationTitle, deliveryStatus, mergeMessages, parseUsernames, type ReceiptPosition, typingNow, typingText, unreadCount } from './model';

const me = 'me';
const message = (seq: number, body = `m${seq}`): ChatMessage => ({
  conversationId: 'c',
  seq,
  messageId: `id-${seq}`,
  senderId: me,
  clientMsgId: `k${seq}`,
  body,
  kind: 'text',
  sentAt: seq,
  storedAt: seq,
});

describe('mergeMessages', () => {
  it('keeps each seq once, in ascending order, whatever the sources overlap', () => {
    const live = [message(5), message(6)];
    const history = [message(3), message(4), message(5, 'again')];
    const merged = mergeMessages(live, history);
    expect(merged.map((m) => m.seq)).toEqual([3, 4, 5, 6]);
    expect(merged.find((m) => m.seq === 5)?.body).toBe('m5');
  });
});

describe('receipts', () => {
  it('moves positions forward only, and a read moves delivered too', () => {
    let position = applyReceipt(undefined, 'delivered', 4);
    position = applyReceipt(position, 'delivered', 2);
    expect(position).toEqual({ delivered: 4, read: 0 });
    expect(applyReceipt(position, 'read', 7)).toEqual({ delivered: 7, read: 7 });
  });

  it('says sent, delivered, read once every other member got that far', () => {
    const receipts = new Map<string, ReceiptPosition>([
      ['bob', { delivered: 3, read: 2 }],
      ['carol', { delivered: 3, read: 1 }],
    ]);
    const members = [me, 'bob', 'carol'];
    expect(deliveryStatus(1, me, members, receipts)).toBe('read');
    expect(deliveryStatus(2, me, members, receipts)).toBe('delivered');
    expect(deliveryStatus(4, me, members, receipts)).toBe('sent');
    expect(deliveryStatus(1, me, [me], receipts)).toBe('sent');
  });
});

describe('unread and typing', () => {
  it('counts what is after the read position', () => {
    expect(unreadCount(10, 7)).toBe(3);
    expect(unreadCount(3, 7)).toBe(0);
  });

  it('lists typists whose indicator has not expired, never the reader', () => {
    const typing = new Map([
      ['bob', 2_000],
      ['carol', 500],
      [me, 2_000],
    ]);
    expect(typingNow(typing, me, 1_000)).toEqual(['bob']);
    expect(typingText(['bob'])).toBe('bob is typing…');
    expect(typingText(['bob', 'carol'])).toBe('bob and carol are typing…');
    expect(typingText(['a', 'b', 'c'])).toBe('3 people are typing…');
    expect(typingText([])).toBe('');
  });
});

describe('names', () => {
  it('shows a group by its title and a direct conversation by the other member', () => {
    const names = new Map([['bob', 'Bob']]);
    const nameOf = (id: string) => names.get(id) ?? id;
    const direct: ConversationSummary = { conversationId: 'c', kind: 'direct', memberIds: [me, 'bob'], lastSeq: 0, unread: 0 };
    const group: ConversationSummary = { conversationId: 'g', kind: 'group', title: 'Weekend', memberIds: [me], ownerId: me, adminIds: [], lastSeq: 0, unread: 0 };
    expect(conversationTitle(direct, me, nameOf)).toBe('Bob');
    expect(conversationTitle(group, me, nameOf)).toBe('Weekend');
  });

  it('reads usernames separated by commas or spaces, each once', () => {
    expect(parseUsernames(' bob, carol  Bob,,dave ')).toEqual(['bob', 'carol', 'dave']);
    expect(parseUsernames('  ')).toEqual([]);
  });
});
