import type { CliEvent } from './events';
import { colorStyle, conversationTable, plainStyle, renderEvent, seqList, typingLine } from './render';

const at = new Date(2026, 0, 5, 9, 7).getTime();
const message = (overrides: Partial<Extract<CliEvent, { event: 'message' }>> = {}): CliEvent => ({
  event: 'message',
  conversationId: 'c1',
  conversation: 'bob',
  seq: 3,
  from: 'bob',
  fromId: 'u-bob',
  mine: false,
  body: 'hi there',
  sentAt: at,
  open: true,
  history: false,
  ...overrides,
});
const receipt = (status: 'delivered' | 'read', covers: number[]): CliEvent => ({ event: 'receipt', conversationId: 'c1', conversation: 'bob', user: 'bob', userId: 'u-bob', status, seq: 9, covers });
const render = (event: CliEvent) => renderEvent(event, plainStyle);

describe('rendering', () => {
  it('shows messages of the open conversation plainly and marks the others with their conversation', () => {
    expect(render(message())).toBe('09:07 bob: hi there');
    expect(render(message({ open: false, conversation: 'Weekend trip' }))).toBe('● 09:07 [Weekend trip] bob: hi there');
    expect(render(message({ mine: true, history: true }))).toBe('09:07 you: hi there ✓');
  });

  it('shows sent ✓, delivered ✓✓ and read ✓✓ for the messages a receipt covers, nothing for others', () => {
    expect(render({ event: 'sent', conversationId: 'c1', conversation: 'bob', seq: 4, clientMsgId: 'm' })).toBe('  ✓ sent #4');
    expect(render(receipt('delivered', [4]))).toBe('  ✓✓ delivered to bob (#4)');
    expect(render(receipt('read', [2, 4]))).toBe('  ✓✓ read by bob (#2 and #4)');
    expect(render(receipt('read', []))).toBeUndefined();
    expect(seqList([1, 2, 3])).toBe('#1, #2 and #3');
    expect(seqList([1, 2, 3, 4, 5, 6])).toBe('#1–#6');
  });

  it('says who is typing', () => {
    expect(typingLine([])).toBe('');
    expect(typingLine(['bob'])).toBe('bob is typing…');
    expect(typingLine(['bob', 'carol'])).toBe('bob and carol are typing…');
    expect(typingLine(['bob', 'carol', 'dave'])).toBe('3 people are typing…');
    expect(render({ event: 'typing', conversationId: 'c1', conversation: 'bob', user: 'bob', userId: 'u-bob', active: true })).toBe('bob is typing…');
    expect(render({ event: 'typing', conversationId: 'c2', conversation: 'Trip', user: 'bob', userId: 'u-bob', active: true })).toBe('[Trip] bob is typing…');
    expect(render({ event: 'typing', conversationId: 'c1', conversation: 'bob', user: 'bob', userId: 'u-bob', active: false })).toBeUndefined();
  });

  it('tells connection changes: reconnecting, back online, and a first connect still trying', () => {
    expect(render({ event: 'state', state: 'reconnecting', firstConnect: false, attempt: 2, delayMs: 1500, closeCode: 1006 })).toBe('connection lost (1006); reconnecting… (attempt 2, in 1.5 s)');
    expect(render({ event: 'state', state: 'reconnecting', firstConnect: true, attempt: 1 })).toBe('cannot connect yet; trying again (attempt 1)…');
    expect(render({ event: 'ready', userId: 'u', username: 'ann', conversations: 2, reconnected: true })).toBe('back online');
    expect(render({ event: 'ready', userId: 'u', username: 'ann', conversations: 1, reconnected: false })).toBe('logged in as ann (1 conversation; /list shows them, /help lists the commands)');
  });

  it('lists conversations with numbers, unread counts and the last message', () => {
    const table = conversationTable(
      [
        { conversationId: 'c1', kind: 'group', name: 'Trip', members: ['ann', 'bob'], lastSeq: 7, unread: 2, lastMessage: { seq: 7, from: 'bob', body: 'see you\nat 8' } },
        { conversationId: 'c2', kind: 'direct', name: 'carol', members: ['ann', 'carol'], lastSeq: 0, unread: 0 },
      ],
      plainStyle,
    );
    expect(table.split('\n')).toEqual(['1.  # Trip  (2 unread)  bob: see you at 8', '2.  carol   no messages yet']);
    expect(conversationTable([], plainStyle)).toContain('no conversations yet');
  });

  it('shows announcements and errors, in colour only with the colour style', () => {
    const announcement: CliEvent = { event: 'announcement', announcementId: 'a', from: 'operator', body: 'Maintenance at 22:00', sentAt: at, expiresAt: at + 1 };
    expect(render(announcement)).toBe('📢 announcement from operator: Maintenance at 22:00');
    expect(renderEvent(announcement, colorStyle)).toBe('\u001b[33m📢 announcement from operator: Maintenance at 22:00\u001b[39m');
    expect(render({ event: 'error', code: 'not_member', message: 'you are not a member of Trip' })).toBe('error: you are not a member of Trip');
  });
});
