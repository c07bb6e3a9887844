import { randomUUID } from 'node:crypto';
import {
  ChatCommands,
  ChatQueries,
  ChatEvents,
  ClientFrameTypes,
  DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS,
  decodeClientFrame,
  directConversationId,
  groupConversationId,
  encodeEnvelope,
  MAX_CLIENT_FRAME_BYTES,
  newTraceId,
  ProtocolError,
  Topics,
  type ClientFrameInput,
} from '@chat/protocol';
import { thrownBy } from '@chat/testing';
import { recordForFrame, type FrameOrigin, type RecordFrame } from './frame-records';

const me = randomUUID();
const peer = randomUUID();
const conversationId = randomUUID();
const origin: FrameOrigin = { userId: me, gatewayId: 'gw-7', connectionId: randomUUID(), traceId: newTraceId(), receivedAt: 1_700_000_000_123 };
const replyTo = (requestId: string) => ({ gatewayId: 'gw-7', connectionId: origin.connectionId, requestId });

/** Frames as a client writes them, decoded as the gateway reads them (defaults filled in). */
function frame(input: ClientFrameInput): RecordFrame {
  const decoded = decodeClientFrame(JSON.stringify(input), MAX_CLIENT_FRAME_BYTES);
  if (decoded.type === 'ping') throw new Error('ping has no record');
  return decoded;
}

/** Every frame type with a record, the record it must become (topic, key, type, payload). */
const cases: Array<[RecordFrame, { topic: string; key: string; type: string; payload: object }]> = [
  [
    frame({ type: 'send', id: 's1', conversationId, clientMsgId: 'm-1', body: ' hi ' }),
    {
      topic: Topics.commands.name,
      key: conversationId,
      type: 'chat.command.send-message',
      payload: { senderId: me, conversationId, clientMsgId: 'm-1', body: ' hi ', kind: 'text', replyTo: replyTo('s1') },
    },
  ],
  [
    frame({ type: 'receipt', id: 'r1', conversationId, seq: 9, status: 'read' }),
    { topic: Topics.commands.name, key: conversationId, type: 'chat.command.receipt', payload: { userId: me, conversationId, seq: 9, status: 'read', replyTo: replyTo('r1') } },
  ],
  [
    frame({ type: 'create_group', id: 'g1', title: 'Team', memberIds: [peer] }),
    { topic: Topics.commands.name, key: me, type: 'chat.command.create-group', payload: { userId: me, title: 'Team', memberIds: [peer], replyTo: replyTo('g1') } },
  ],
  [
    frame({ type: 'create_group', id: 'g2', title: 'Team', memberIds: [peer], clientGroupId: 'team-1' }),
    {
      topic: Topics.commands.name,
      key: groupConversationId(me, 'team-1'),
      type: 'chat.command.create-group',
      payload: { userId: me, title: 'Team', memberIds: [peer], clientGroupId: 'team-1', replyTo: replyTo('g2') },
    },
  ],
  [
    frame({ type: 'open_direct', id: 'd1', userId: peer }),
    { topic: Topics.commands.name, key: directConversationId(me, peer), type: 'chat.command.open-direct', payload: { userId: me, peerId: peer, replyTo: replyTo('d1') } },
  ],
  [
    frame({ type: 'add_members', id: 'a1', conversationId, userIds: [peer] }),
    { topic: Topics.commands.name, key: conversationId, type: 'chat.command.add-members', payload: { userId: me, conversationId, memberIds: [peer], replyTo: replyTo('a1') } },
  ],
  [
    frame({ type: 'remove_member', id: 'x1', conversationId, userId: peer }),
    { topic: Topics.commands.name, key: conversationId, type: 'chat.command.remove-member', payload: { userId: me, conversationId, memberId: peer, replyTo: replyTo('x1') } },
  ],
  [
    frame({ type: 'rename_group', id: 'n1', conversationId, title: 'Renamed' }),
    { topic: Topics.commands.name, key: conversationId, type: 'chat.command.rename-group', payload: { userId: me, conversationId, title: 'Renamed', replyTo: replyTo('n1') } },
  ],
  [
    frame({ type: 'set_member_role', id: 'o1', conversationId, userId: peer, role: 'admin' }),
    {
      topic: Topics.commands.name,
      key: conversationId,
      type: 'chat.command.set-member-role',
      payload: { userId: me, conversationId, memberId: peer, role: 'admin', replyTo: replyTo('o1') },
    },
  ],
  [
    frame({ type: 'transfer_ownership', id: 't1', conversationId, userId: peer }),
    { topic: Topics.commands.name, key: conversationId, type: 'chat.command.transfer-ownership', payload: { userId: me, conversationId, memberId: peer, replyTo: replyTo('t1') } },
  ],
  [
    frame({ type: 'sync', id: 'y1', conversations: [{ conversationId, afterSeq: 4 }] }),
    { topic: Topics.queries.name, key: me, type: 'chat.command.sync-request', payload: { userId: me, conversations: [{ conversationId, afterSeq: 4 }], replyTo: replyTo('y1') } },
  ],
  [
    frame({ type: 'history', id: 'h1', conversationId, beforeSeq: 30 }),
    {
      topic: Topics.queries.name,
      key: me,
      type: 'chat.command.history-request',
      payload: { userId: me, conversationId, beforeSeq: 30, limit: 50, replyTo: replyTo('h1') },
    },
  ],
  [
    frame({ type: 'list_conversations', id: 'l1' }),
    { topic: Topics.queries.name, key: me, type: 'chat.command.list-conversations-request', payload: { userId: me, limit: 100, replyTo: replyTo('l1') } },
  ],
  [
    frame({ type: 'list_conversations', id: 'l2', limit: 10, cursor: 'next_1' }),
    { topic: Topics.queries.name, key: me, type: 'chat.command.list-conversations-request', payload: { userId: me, limit: 10, cursor: 'next_1', replyTo: replyTo('l2') } },
  ],
  [
    frame({ type: 'announce', id: 'an1', body: 'Maintenance tonight', clientAnnouncementId: 'maint-1' }),
    {
      topic: Topics.commands.name,
      key: me,
      type: 'chat.command.announce',
      payload: { senderId: me, body: 'Maintenance tonight', expiresInSeconds: DEFAULT_ANNOUNCEMENT_EXPIRY_SECONDS, clientAnnouncementId: 'maint-1', replyTo: replyTo('an1') },
    },
  ],
  [
    frame({ type: 'typing', id: 't1', conversationId, active: true }),
    { topic: Topics.typing.name, key: conversationId, type: 'chat.typing-changed', payload: { conversationId, userId: me, active: true } },
  ],
];

describe('recordForFrame', () => {
  it('covers every client frame type but ping', () => {
    expect(new Set(cases.map(([input]) => input.type))).toEqual(new Set(ClientFrameTypes.filter((type) => type !== 'ping')));
  });

  it.each(cases.map(([input, expected]) => [input.type, input, expected] as const))('turns %s into its record', (_type, input, expected) => {
    const record = recordForFrame(input, origin);
    expect(record).toMatchObject({ topic: expected.topic, key: expected.key });
    expect(record.envelope).toMatchObject({ type: expected.type, traceId: origin.traceId, occurredAt: origin.receivedAt });
    expect(record.envelope.payload).toEqual(expected.payload);
    // What the gateway writes is what the consumers of that topic read.
    const value = encodeEnvelope(record.envelope);
    const decoded =
      record.topic === Topics.commands.name ? ChatCommands.decode(value) : record.topic === Topics.queries.name ? ChatQueries.decode(value) : ChatEvents.decode(value);
    expect(decoded).toEqual(record.envelope);
  });

  it('leaves out an absent history cursor instead of writing it as undefined', () => {
    const record = recordForFrame(frame({ type: 'history', id: 'h2', conversationId }), origin);
    expect(Object.keys(record.envelope.payload as object)).not.toContain('beforeSeq');
  });

  it('takes the acting user from the connection, never from the frame', () => {
    const record = recordForFrame(frame({ type: 'remove_member', id: 'x2', conversationId, userId: me }), { ...origin, userId: peer });
    expect(record.envelope.payload).toMatchObject({ userId: peer, memberId: me });
  });

  it('refuses a direct conversation with yourself, naming the field and the request', () => {
    const error = thrownBy(() => recordForFrame(frame({ type: 'open_direct', id: 'd2', userId: me }), origin), ProtocolError);
    expect(error).toMatchObject({ code: 'invalid_field', field: 'userId', requestId: 'd2' });
  });
});
