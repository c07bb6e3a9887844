import { randomUUID } from 'node:crypto';
import { thrownBy } from '@chat/testing';
import { type ChatMessage, ProtocolError } from '@chat/wire';
import { type Envelope, encodeEnvelope } from '../envelope';
import { directConversationId, groupConversationId } from '../ids';
import { AnnouncementPublished } from './announcements';
import {
  AddMembersCommand,
  AnnounceCommand,
  ChatCommands,
  chatCommandKey,
  ChatQueries,
  chatQueryKey,
  isChatQuery,
  CreateGroupCommand,
  HistoryRequestCommand,
  ListConversationsRequestCommand,
  OpenDirectCommand,
  ReceiptCommand,
  RemoveMemberCommand,
  RenameGroupCommand,
  SendMessageCommand,
  SetMemberRoleCommand,
  SyncRequestCommand,
  TransferOwnershipCommand,
} from './commands';
import { FramesRouted, framesRoutedKey, GatewayDeliveries } from './delivery';
import { ChatEvents, CommandAnswers, MessageStored, ReceiptStored, TypingChanged } from './events';
import { GatewayLeaseRenewed } from './gateways';
import { MembershipChanged } from './memberships';
import { parsePresenceKey, PresenceChanged, presenceKey } from './presence';
import { UserRegistered } from './users';

const userA = randomUUID();
const userB = randomUUID();
const conversationId = randomUUID();
const connectionId = randomUUID();
const replyTo = { gatewayId: 'gw-0', connectionId, requestId: 'r-1' };
const message: ChatMessage = {
  conversationId,
  seq: 1,
  messageId: randomUUID(),
  senderId: userA,
  clientMsgId: 'm1',
  body: 'hi',
  kind: 'text',
  sentAt: 1,
  storedAt: 2,
};

const rejection = (run: () => unknown): ProtocolError => thrownBy(run, ProtocolError);

/** Every record type with a valid example payload; each must survive encode → decode unchanged. */
const examples: Array<[string, () => Envelope, (value: Buffer) => Envelope]> = [
  ['user-registered', () => UserRegistered.create({ userId: userA, username: 'alice.b' }), (v) => UserRegistered.decode(v)],
  [
    'send-message',
    () => SendMessageCommand.create({ senderId: userA, conversationId, clientMsgId: 'm1', body: 'hi', kind: 'text', replyTo }),
    (v) => SendMessageCommand.decode(v),
  ],
  ['receipt', () => ReceiptCommand.create({ userId: userA, conversationId, seq: 4, status: 'read', replyTo }), (v) => ReceiptCommand.decode(v)],
  ['create-group', () => CreateGroupCommand.create({ userId: userA, title: 'T', memberIds: [userB], replyTo }), (v) => CreateGroupCommand.decode(v)],
  ['open-direct', () => OpenDirectCommand.create({ userId: userA, peerId: userB, replyTo }), (v) => OpenDirectCommand.decode(v)],
  ['add-members', () => AddMembersCommand.create({ userId: userA, conversationId, memberIds: [userB], replyTo }), (v) => AddMembersCommand.decode(v)],
  ['remove-member', () => RemoveMemberCommand.create({ userId: userA, conversationId, memberId: userB, replyTo }), (v) => RemoveMemberCommand.decode(v)],
  ['rename-group', () => RenameGroupCommand.create({ userId: userA, conversationId, title: 'New', replyTo }), (v) => RenameGroupCommand.decode(v)],
  [
    'set-member-role',
    () => SetMemberRoleCommand.create({ userId: userA, conversationId, memberId: userB, role: 'admin', replyTo }),
    (v) => SetMemberRoleCommand.decode(v),
  ],
  [
    'transfer-ownership',
    () => TransferOwnershipCommand.create({ userId: userA, conversationId, memberId: userB, replyTo }),
    (v) => TransferOwnershipCommand.decode(v),
  ],
  [
    'sync-request',
    () => SyncRequestCommand.create({ userId: userA, conversations: [{ conversationId, afterSeq: 3 }], replyTo }),
    (v) => SyncRequestCommand.decode(v),
  ],
  ['history-request', () => HistoryRequestCommand.create({ userId: userA, conversationId, limit: 50, replyTo }), (v) => HistoryRequestCommand.decode(v)],
  ['list-conversations-request', () => ListConversationsRequestCommand.create({ userId: userA, replyTo }), (v) => ListConversationsRequestCommand.decode(v)],
  ['message-stored', () => MessageStored.create({ message, recipientIds: [userA, userB] }), (v) => MessageStored.decode(v)],
  [
    'receipt-stored',
    () => ReceiptStored.create({ conversationId, userId: userB, seq: 1, status: 'delivered', at: 3, recipientIds: [userA] }),
    (v) => ReceiptStored.decode(v),
  ],
  ['typing-changed', () => TypingChanged.create({ conversationId, userId: userA, active: true }), (v) => TypingChanged.decode(v)],
  [
    'command-answers',
    () => CommandAnswers.create({ replyTo, frames: [{ type: 'message', ...message }, { type: 'synced', replyTo: 'r-1', conversations: [{ conversationId, lastSeq: 1 }] }] }),
    (v) => CommandAnswers.decode(v),
  ],
  [
    'membership-changed',
    () =>
      MembershipChanged.create({ conversationId, kind: 'group', title: 'T', memberIds: [userA, userB], ownerId: userA, adminIds: [], added: [userB], removed: [], by: userA }),
    (v) => MembershipChanged.decode(v),
  ],
  [
    'presence-changed',
    () => PresenceChanged.create({ gatewayId: 'gw-0', userId: userA, connections: 2, at: 5, gatewayStartedAt: 1 }),
    (v) => PresenceChanged.decode(v),
  ],
  ['gateway-lease', () => GatewayLeaseRenewed.create({ gatewayId: 'gw-0', startedAt: 1, at: 2, ttlMs: 15_000 }), (v) => GatewayLeaseRenewed.decode(v)],
  [
    'frames-routed',
    () => FramesRouted.create({ target: { connectionId }, frames: [{ type: 'message', ...message }, { type: 'synced', replyTo: 'r-1', conversations: [] }] }),
    (v) => FramesRouted.decode(v),
  ],
  [
    'announce',
    () => AnnounceCommand.create({ senderId: userA, body: 'Maintenance tonight', expiresInSeconds: 3600, clientAnnouncementId: 'a-1', replyTo }),
    (v) => AnnounceCommand.decode(v),
  ],
  [
    'announcement-published',
    () => AnnouncementPublished.create({ announcement: { announcementId: randomUUID(), senderId: userA, body: 'Maintenance tonight', sentAt: 1, expiresAt: 3_600_001 } }),
    (v) => AnnouncementPublished.decode(v),
  ],
];

describe('chat records', () => {
  it.each(examples)('%s round-trips', (_name, create, decode) => {
    const envelope = create();
    expect(decode(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it('use unique type names in domain.thing style', () => {
    const types = examples.map(([, create]) => create().type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) expect(type).toMatch(/^chat\.([a-z]+\.)?[a-z]+(-[a-z]+)*$/);
  });

  it('validate payloads tightly', () => {
    expect(rejection(() => UserRegistered.create({ userId: 'u1', username: 'alice' })).field).toBe('payload.userId');
    expect(rejection(() => UserRegistered.create({ userId: userA, username: 'a b' })).field).toBe('payload.username');
    expect(rejection(() => OpenDirectCommand.create({ userId: userA, peerId: userA, replyTo })).field).toBe('payload.peerId');
    expect(rejection(() => SendMessageCommand.create({ senderId: userA, conversationId, clientMsgId: 'm', body: ' ', kind: 'text', replyTo })).field).toBe(
      'payload.body',
    );
    expect(rejection(() => ReceiptCommand.create({ userId: userA, conversationId, seq: 1, status: 'read', replyTo: { ...replyTo, gatewayId: 'GW' } })).field).toBe(
      'payload.replyTo.gatewayId',
    );
    expect(rejection(() => PresenceChanged.create({ gatewayId: 'gw-0', userId: userA, connections: -1, at: 5, gatewayStartedAt: 1 })).field).toBe(
      'payload.connections',
    );
    expect(rejection(() => GatewayLeaseRenewed.create({ gatewayId: 'gw-0', startedAt: 1, at: 2, ttlMs: 0 })).field).toBe('payload.ttlMs');
    // A command answer must carry a valid server frame.
    const badFrame = { replyTo, frames: [{ type: 'pong', replyTo: 'r', extra: 1 }] } as unknown as Parameters<typeof CommandAnswers.create>[0];
    expect(rejection(() => CommandAnswers.create(badFrame)).field).toBe('payload.frames.0.extra');
  });

  it('keep membership records consistent with the conversation kind', () => {
    const direct = { conversationId, kind: 'direct' as const, memberIds: [userA, userB], added: [userA, userB], removed: [], by: userA };
    expect(MembershipChanged.create(direct).payload.memberIds).toHaveLength(2);
    expect(rejection(() => MembershipChanged.create({ ...direct, memberIds: [userA] })).field).toBe('payload.memberIds');
    expect(rejection(() => MembershipChanged.create({ ...direct, kind: 'group' })).field).toBe('payload.title');
    // The last member leaving a group leaves it empty.
    expect(MembershipChanged.create({ ...direct, kind: 'group', title: 'T', memberIds: [], added: [], removed: [userA] }).payload.memberIds).toEqual([]);
  });

  it("keep a group's roles among its members, and announce renames and role changes with them", () => {
    const group = { conversationId, kind: 'group' as const, title: 'T', memberIds: [userA, userB], added: [], removed: [], by: userA };
    // Records from before roles existed have none, and stay readable.
    expect(MembershipChanged.create(group).payload.ownerId).toBeUndefined();
    expect(MembershipChanged.create({ ...group, ownerId: userB, adminIds: [userA], changed: ['roles'] }).payload.changed).toEqual(['roles']);
    expect(rejection(() => MembershipChanged.create({ ...group, ownerId: randomUUID(), adminIds: [] })).field).toBe('payload.ownerId');
    expect(rejection(() => MembershipChanged.create({ ...group, ownerId: userA, adminIds: [userA] })).field).toBe('payload.adminIds');
    expect(rejection(() => MembershipChanged.create({ ...group, changed: ['title'] })).field).toBe('payload.changed');
    const direct = { ...group, kind: 'direct' as const, title: undefined };
    expect(rejection(() => MembershipChanged.create({ ...direct, ownerId: userA })).field).toBe('payload.ownerId');
  });

  it('give set-member-role only the roles admin and member', () => {
    const owner = { userId: userA, conversationId, memberId: userB, role: 'owner', replyTo } as unknown as Parameters<typeof SetMemberRoleCommand.create>[0];
    expect(rejection(() => SetMemberRoleCommand.create(owner)).field).toBe('payload.role');
  });

  it('answers and routed frames name at least one frame, each valid', () => {
    expect(rejection(() => CommandAnswers.create({ replyTo, frames: [] })).field).toBe('payload.frames');
    const badFrame = { replyTo, frames: [{ type: 'pong', replyTo: 'r' }, { type: 'pong', replyTo: 'r', extra: 1 }] } as unknown as Parameters<typeof CommandAnswers.create>[0];
    expect(rejection(() => CommandAnswers.create(badFrame)).field).toBe('payload.frames.1.extra');
    expect(rejection(() => FramesRouted.create({ target: { connectionId }, frames: [] })).field).toBe('payload.frames');
  });

  it('keep announcement expiries between a minute and 30 days', () => {
    const announce = (expiresInSeconds: number) => () => AnnounceCommand.create({ senderId: userA, body: 'x', expiresInSeconds, replyTo });
    expect(rejection(announce(59)).field).toBe('payload.expiresInSeconds');
    expect(rejection(announce(30 * 24 * 3600 + 1)).field).toBe('payload.expiresInSeconds');
    expect(announce(60)().payload.expiresInSeconds).toBe(60);
  });

  it('a delivery targets users, one connection, or everyone, never two of them', () => {
    const frame = { type: 'pong' as const };
    expect(FramesRouted.create({ target: { everyone: true }, frames: [frame] }).payload.target).toEqual({ everyone: true });
    const everyoneAndOne = { target: { everyone: true, connectionId }, frames: [frame] } as unknown as Parameters<typeof FramesRouted.create>[0];
    expect(rejection(() => FramesRouted.create(everyoneAndOne)).field).toBe('payload.target');
    expect(FramesRouted.create({ target: { connectionId }, frames: [frame] }).payload.target).toEqual({ connectionId });
    expect(FramesRouted.create({ target: { userIds: [userA] }, frames: [frame] }).payload.target).toEqual({ userIds: [userA] });
    const both = { target: { connectionId, userIds: [userA] }, frames: [frame] } as unknown as Parameters<typeof FramesRouted.create>[0];
    expect(rejection(() => FramesRouted.create(both)).field).toBe('payload.target');
    expect(rejection(() => FramesRouted.create({ target: { userIds: [] }, frames: [frame] })).field).toBe('payload.target.userIds');
    const named = { gatewayId: 'gw-0', target: { connectionId }, frames: [frame] } as unknown as Parameters<typeof FramesRouted.create>[0];
    expect(rejection(() => FramesRouted.create(named)).field).toBe('payload.gatewayId');
  });
});

describe('record sets of the chat topics', () => {
  it('decode commands and events by type', () => {
    const command = ChatCommands.decode(encodeEnvelope(ReceiptCommand.create({ userId: userA, conversationId, seq: 1, status: 'read', replyTo })));
    expect(command.type).toBe('chat.command.receipt');
    const event = ChatEvents.decode(encodeEnvelope(TypingChanged.create({ conversationId, userId: userA, active: false })));
    expect(event.type === 'chat.typing-changed' && event.payload.active).toBe(false);
  });

  it('decode deliveries on a gateway topic and answers on the events topic', () => {
    const frames = [{ type: 'pong' as const, replyTo: 'r' }];
    const routed = GatewayDeliveries.decode(encodeEnvelope(FramesRouted.create({ target: { connectionId }, frames })));
    expect(routed.type === 'chat.frames-routed' && routed.payload.frames).toEqual(frames);
    const batch = ChatEvents.decode(encodeEnvelope(CommandAnswers.create({ replyTo, frames })));
    expect(batch.type).toBe('chat.command-answers');
  });

  it('reject records of another topic', () => {
    expect(rejection(() => ChatCommands.decode(encodeEnvelope(TypingChanged.create({ conversationId, userId: userA, active: false })))).code).toBe(
      'unknown_type',
    );
    expect(rejection(() => ChatEvents.decode(encodeEnvelope(UserRegistered.create({ userId: userA, username: 'abc' })))).code).toBe('unknown_type');
  });
});

describe('queries', () => {
  it('decodes the reads on chat.queries, keyed by user, and nothing else', () => {
    const history = HistoryRequestCommand.create({ userId: userA, conversationId, limit: 50, replyTo });
    const page = ListConversationsRequestCommand.create({ userId: userA, limit: 20, cursor: 'abc_1', replyTo });
    expect(ChatQueries.decode(encodeEnvelope(history))).toEqual(history);
    expect(ChatQueries.decode(encodeEnvelope(page)).payload).toMatchObject({ limit: 20, cursor: 'abc_1' });
    expect(chatQueryKey(history)).toBe(userA);
    expect(isChatQuery(history)).toBe(true);
    const send = SendMessageCommand.create({ senderId: userA, conversationId, clientMsgId: 'm', body: 'x', kind: 'text', replyTo });
    expect(isChatQuery(send)).toBe(false);
    expect(rejection(() => ChatQueries.decode(encodeEnvelope(send))).code).toBe('unknown_type');
  });
});

describe('keys', () => {
  it('key commands by conversation, direct pair or user', () => {
    expect(chatCommandKey(SendMessageCommand.create({ senderId: userA, conversationId, clientMsgId: 'm', body: 'x', kind: 'text', replyTo }))).toBe(conversationId);
    expect(chatCommandKey(ListConversationsRequestCommand.create({ userId: userA, replyTo }))).toBe(userA);
    // One sender's announcements in order on one partition: the rate limit counts them one by one.
    expect(chatCommandKey(AnnounceCommand.create({ senderId: userA, body: 'x', expiresInSeconds: 60, replyTo }))).toBe(userA);
    // Changes of a group are keyed by it, so they apply in order with its messages and member changes.
    expect(chatCommandKey(RenameGroupCommand.create({ userId: userA, conversationId, title: 'N', replyTo }))).toBe(conversationId);
    expect(chatCommandKey(SetMemberRoleCommand.create({ userId: userA, conversationId, memberId: userB, role: 'member', replyTo }))).toBe(conversationId);
    expect(chatCommandKey(TransferOwnershipCommand.create({ userId: userA, conversationId, memberId: userB, replyTo }))).toBe(conversationId);
    expect(chatCommandKey(CreateGroupCommand.create({ userId: userA, title: 'T', memberIds: [userB], replyTo }))).toBe(userA);
    // A create with its idempotency key is keyed by the group it makes, so its retries meet it in order.
    expect(chatCommandKey(CreateGroupCommand.create({ userId: userA, title: 'T', memberIds: [userB], clientGroupId: 'g-1', replyTo }))).toBe(groupConversationId(userA, 'g-1'));
    const ab = chatCommandKey(OpenDirectCommand.create({ userId: userA, peerId: userB, replyTo }));
    const ba = chatCommandKey(OpenDirectCommand.create({ userId: userB, peerId: userA, replyTo }));
    expect(ab).toBe(ba);
    expect(ab).toBe(directConversationId(userA, userB));
  });

  it('derive a stable, valid UUID for a direct conversation', () => {
    const id = directConversationId(userA, userB);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(directConversationId(userB.toUpperCase(), userA)).toBe(id);
    expect(directConversationId(userA, randomUUID())).not.toBe(id);
  });

  it('derive a group id from its creator and idempotency key', () => {
    const id = groupConversationId(userA, 'g-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(groupConversationId(userA.toUpperCase(), 'g-1')).toBe(id);
    expect([groupConversationId(userB, 'g-1'), groupConversationId(userA, 'g-2'), directConversationId(userA, userB)]).not.toContain(id);
  });

  it('build and parse presence keys', () => {
    const key = presenceKey('gw-3', userA);
    expect(key).toBe(`gw-3/${userA}`);
    expect(parsePresenceKey(Buffer.from(key))).toEqual({ gatewayId: 'gw-3', userId: userA });
    for (const bad of [null, '', 'gw-3', `GW/${userA}`, 'gw-3/not-a-uuid', `gw-3/${userA}/x`]) {
      expect(() => parsePresenceKey(bad)).toThrow(ProtocolError);
    }
  });

  it('key deliveries so answers to one socket and one conversation stay in order', () => {
    const synced = { type: 'synced' as const, replyTo: 'r', conversations: [] };
    expect(framesRoutedKey({ target: { connectionId }, frames: [synced] })).toBe(connectionId);
    expect(framesRoutedKey({ target: { connectionId }, frames: [{ type: 'message', ...message }, synced] })).toBe(connectionId);
    expect(framesRoutedKey({ target: { userIds: [userB] }, frames: [{ type: 'message', ...message }] })).toBe(conversationId);
    expect(framesRoutedKey({ target: { userIds: [userB] }, frames: [{ type: 'presence', userId: userA, online: true, at: 1 }] })).toBe(userA);
    const announcementId = randomUUID();
    const announcement = { type: 'announcement' as const, announcementId, senderId: userA, body: 'x', sentAt: 1, expiresAt: 60_001 };
    expect(framesRoutedKey({ target: { everyone: true }, frames: [announcement] })).toBe(announcementId);
  });
});
