import { randomUUID } from 'node:crypto';
import { thrownBy } from '@chat/testing';
import { DEFAULT_LIST_CONVERSATIONS_LIMIT, MAX_BODY_CHARS, MAX_CLIENT_FRAME_BYTES, MAX_CURSOR_CHARS, MAX_LISTED_CONVERSATIONS, MAX_SERVER_FRAME_BYTES } from '../limits';
import { ProtocolError } from '../protocol-error';
import { type ClientFrame, type ClientFrameInput, ClientFrameTypes } from './client-frames';
import { decodeClientFrame, decodeServerFrame, encodeClientFrame, encodeServerFrame, errorFrameFor } from './codec';
import { type ChatMessage } from './content';
import { type ServerFrame, ServerFrameTypes } from './server-frames';

const conversationId = randomUUID();
const userA = randomUUID();
const userB = randomUUID();

const message: ChatMessage = {
  conversationId,
  seq: 7,
  messageId: randomUUID(),
  senderId: userA,
  clientMsgId: 'c-1_x',
  body: '  hello \u{1F600} ',
  kind: 'text',
  sentAt: 1_700_000_000_000,
  storedAt: 1_700_000_000_012,
};

/** One complete example of every client frame (after defaults). */
const clientFrames: ClientFrame[] = [
  { type: 'send', id: 'r1', conversationId, clientMsgId: 'm-1', body: 'hi', kind: 'text' },
  { type: 'receipt', id: 'r2', conversationId, seq: 3, status: 'read' },
  { type: 'typing', id: 'r3', conversationId, active: true },
  { type: 'sync', id: 'r4', conversations: [{ conversationId, afterSeq: 0 }] },
  { type: 'history', id: 'r5', conversationId, beforeSeq: 10, limit: 20 },
  { type: 'open_direct', id: 'r6', userId: userB },
  { type: 'create_group', id: 'r7', title: 'Team', memberIds: [userA, userB] },
  { type: 'add_members', id: 'r8', conversationId, userIds: [userB] },
  { type: 'remove_member', id: 'r9', conversationId, userId: userB },
  { type: 'rename_group', id: 'r12', conversationId, title: 'Team 2' },
  { type: 'set_member_role', id: 'r13', conversationId, userId: userB, role: 'admin' },
  { type: 'transfer_ownership', id: 'r14', conversationId, userId: userB },
  { type: 'list_conversations', id: 'r10', limit: 100 },
  { type: 'list_conversations', id: 'r10', limit: 20, cursor: 'MTcwMDAwMDAwMDAwMDAwMA_abc-1' },
  { type: 'announce', id: 'r15', body: 'Maintenance at 22:00', expiresInSeconds: 3600, clientAnnouncementId: 'maint-1' },
  { type: 'ping', id: 'r11' },
];

/** One complete example of every server frame. */
const serverFrames: ServerFrame[] = [
  {
    type: 'session',
    userId: userA,
    connectionId: randomUUID(),
    sessionId: randomUUID(),
    heartbeatIntervalMs: 15_000,
    idleTimeoutMs: 30_000,
    limits: { maxFrameBytes: 65_536, framesPerSecond: 20, frameBurst: 40, maxConnectionsPerUser: 20 },
    onlineContactIds: [userB],
  },
  { type: 'accepted', replyTo: 'r1', conversationId, clientMsgId: 'm-1' },
  { type: 'message', ...message },
  { type: 'receipt', conversationId, userId: userB, seq: 7, status: 'delivered', at: 1_700_000_000_100 },
  { type: 'typing', conversationId, userId: userB, active: false },
  { type: 'presence', userId: userB, online: true, at: 1_700_000_000_200 },
  { type: 'history_page', replyTo: 'r5', conversationId, messages: [message], hasMore: true },
  { type: 'synced', replyTo: 'r4', conversations: [{ conversationId, lastSeq: 7 }] },
  { type: 'conversation', replyTo: 'r7', conversationId, kind: 'group', title: 'Team', memberIds: [userA, userB], ownerId: userA, adminIds: [], lastSeq: 0, unread: 0 },
  {
    type: 'conversations',
    replyTo: 'r10',
    items: [{ conversationId, kind: 'direct', memberIds: [userA, userB], lastSeq: 7, unread: 2 }],
  },
  { type: 'conversations', replyTo: 'r10', items: [], nextCursor: 'abc_1-2' },
  { type: 'member_added', conversationId, userIds: [userB], by: userA },
  { type: 'member_removed', conversationId, userId: userB, by: userB },
  { type: 'group_updated', conversationId, title: 'Team 2', ownerId: userB, adminIds: [userA], changed: ['roles'], by: userA },
  { type: 'announcement', replyTo: 'r15', announcementId: randomUUID(), senderId: userA, body: 'Maintenance at 22:00', sentAt: 1_700_000_000_000, expiresAt: 1_700_003_600_000 },
  { type: 'pong', replyTo: 'r11' },
  { type: 'error', replyTo: 'r1', code: 'not_member', message: 'not a member' },
];

/** Runs a decode that must fail and returns the ProtocolError. */
const rejection = (decode: () => unknown): ProtocolError => thrownBy(decode, ProtocolError);

const decodeClient = (frame: unknown): ProtocolError =>
  rejection(() => decodeClientFrame(JSON.stringify(frame), MAX_CLIENT_FRAME_BYTES));

const validSend = { type: 'send', id: 'req-1', conversationId, clientMsgId: 'm-1', body: 'hello' };

describe('client frames', () => {
  it('has an example of every frame type', () => {
    expect(new Set(clientFrames.map((frame) => frame.type))).toEqual(new Set(ClientFrameTypes));
  });

  it.each(clientFrames.map((frame) => [frame.type, frame] as const))('round-trips %s', (_type, frame) => {
    const text = encodeClientFrame(frame);
    expect(decodeClientFrame(text, MAX_CLIENT_FRAME_BYTES)).toEqual(frame);
    expect(decodeClientFrame(Buffer.from(text), MAX_CLIENT_FRAME_BYTES)).toEqual(frame);
  });

  it('fills defaults: kind text, history limit 50', () => {
    expect(decodeClientFrame(JSON.stringify(validSend), MAX_CLIENT_FRAME_BYTES)).toEqual({ ...validSend, kind: 'text' });
    const history: ClientFrameInput = { type: 'history', id: 'h', conversationId };
    expect(JSON.parse(encodeClientFrame(history))).toEqual({ ...history, limit: 50 });
  });

  it('lets an announcement expire after a day unless told otherwise, within a minute and 30 days', () => {
    const announce = { type: 'announce', id: 'a', body: 'Maintenance' };
    expect(decodeClientFrame(JSON.stringify(announce), MAX_CLIENT_FRAME_BYTES)).toEqual({ ...announce, expiresInSeconds: 24 * 3600 });
    expect(decodeClient({ ...announce, expiresInSeconds: 59 }).field).toBe('expiresInSeconds');
    expect(decodeClient({ ...announce, expiresInSeconds: 30 * 24 * 3600 + 1 }).field).toBe('expiresInSeconds');
    expect(decodeClient({ ...announce, clientAnnouncementId: 'not ok' }).field).toBe('clientAnnouncementId');
  });

  it('keeps the body exactly as sent', () => {
    const body = '  spaced out\n';
    const frame = decodeClientFrame(JSON.stringify({ ...validSend, body }), MAX_CLIENT_FRAME_BYTES);
    expect(frame.type === 'send' && frame.body).toBe(body);
  });

  it('accepts a ping without id', () => {
    expect(decodeClientFrame('{"type":"ping"}', 100)).toEqual({ type: 'ping' });
  });
});

describe('server frames', () => {
  it('has an example of every frame type', () => {
    expect(new Set(serverFrames.map((frame) => frame.type))).toEqual(new Set(ServerFrameTypes));
  });

  it.each(serverFrames.map((frame) => [frame.type, frame] as const))('round-trips %s', (_type, frame) => {
    expect(decodeServerFrame(encodeServerFrame(frame), MAX_SERVER_FRAME_BYTES)).toEqual(frame);
  });

  it('refuses to encode an invalid frame, naming the field', () => {
    const error = rejection(() => encodeServerFrame({ type: 'message', ...message, seq: 0 }));
    expect(error.field).toBe('frame.seq');
  });

  it('requires a title for groups and forbids one for direct conversations', () => {
    const group: ServerFrame = { type: 'conversation', conversationId, kind: 'group', memberIds: [userA], lastSeq: 0, unread: 0 };
    expect(rejection(() => encodeServerFrame(group)).field).toBe('frame.title');
    const direct: ServerFrame = { type: 'conversation', conversationId, kind: 'direct', title: 'x', memberIds: [userA, userB], lastSeq: 0, unread: 0 };
    expect(rejection(() => encodeServerFrame(direct)).field).toBe('frame.title');
  });

  it("keeps a group's roles among its members, and a direct conversation without roles", () => {
    const group: ServerFrame = { type: 'conversation', conversationId, kind: 'group', title: 'Team', memberIds: [userA, userB], lastSeq: 0, unread: 0 };
    // A server of the release before roles sends none: still readable.
    expect(decodeServerFrame(encodeServerFrame(group), MAX_SERVER_FRAME_BYTES)).toEqual(group);
    expect(rejection(() => encodeServerFrame({ ...group, ownerId: userA })).field).toBe('frame.adminIds');
    expect(rejection(() => encodeServerFrame({ ...group, ownerId: randomUUID(), adminIds: [] })).field).toBe('frame.ownerId');
    expect(rejection(() => encodeServerFrame({ ...group, ownerId: userA, adminIds: [userA] })).field).toBe('frame.adminIds');
    expect(rejection(() => encodeServerFrame({ ...group, ownerId: userA, adminIds: [randomUUID()] })).field).toBe('frame.adminIds');
    const direct: ServerFrame = { type: 'conversation', conversationId, kind: 'direct', memberIds: [userA, userB], lastSeq: 0, unread: 0 };
    expect(rejection(() => encodeServerFrame({ ...direct, ownerId: userA })).field).toBe('frame.ownerId');
    expect(rejection(() => encodeServerFrame({ ...direct, adminIds: [] })).field).toBe('frame.adminIds');
    const update: ServerFrame = { type: 'group_updated', conversationId, title: 'T', ownerId: userA, adminIds: [userA], changed: ['roles'], by: userA };
    expect(rejection(() => encodeServerFrame(update)).field).toBe('frame.adminIds');
  });

  it('lets a conversation frame list no members only for a group its last member left', () => {
    const emptyGroup: ServerFrame = { type: 'conversation', replyTo: 'r9', conversationId, kind: 'group', title: 'Team', memberIds: [], lastSeq: 4, unread: 0 };
    expect(decodeServerFrame(encodeServerFrame(emptyGroup), MAX_SERVER_FRAME_BYTES)).toEqual(emptyGroup);
    const emptyDirect: ServerFrame = { type: 'conversation', conversationId, kind: 'direct', memberIds: [], lastSeq: 0, unread: 0 };
    expect(rejection(() => encodeServerFrame(emptyDirect)).field).toBe('frame.memberIds');
  });

  it('reports an unknown server frame type so an SDK can skip it', () => {
    expect(rejection(() => decodeServerFrame('{"type":"future_thing"}', 1000)).code).toBe('unknown_type');
  });
});

describe('decodeClientFrame rejects', () => {
  it('a body over the limit, naming the field and echoing the request id', () => {
    const error = decodeClient({ ...validSend, body: 'x'.repeat(MAX_BODY_CHARS + 1) });
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('body');
    expect(error.message).toBe('body: Too big: expected string to have <=4000 characters');
    expect(error.requestId).toBe('req-1');
  });

  it('an empty or whitespace-only body', () => {
    expect(decodeClient({ ...validSend, body: '' }).field).toBe('body');
    const blank = decodeClient({ ...validSend, body: ' \n\t ' });
    expect(blank.field).toBe('body');
    expect(blank.message).toMatch(/whitespace/);
  });

  it('text the database could never store: NUL or an unpaired surrogate in a body, title or request id', () => {
    const body = decodeClient({ ...validSend, body: 'a\u0000b' });
    expect([body.field, body.message]).toEqual(['body', 'body: must not contain NUL (U+0000) or an unpaired surrogate']);
    expect(decodeClient({ ...validSend, body: 'lone \ud800 high' }).field).toBe('body');
    expect(decodeClient({ ...validSend, body: '\udc00 lone low' }).field).toBe('body');
    expect(decodeClient({ type: 'create_group', id: 'g', title: '\u0000', memberIds: [userB] }).field).toBe('title');
    expect(decodeClient({ type: 'list_conversations', id: 'x\ud83d' }).field).toBe('id');
    const fine = 'control \u0001, pair \u{1F600}, ZWJ 👩‍👩‍👧, RTL \u202e';
    expect(decodeClientFrame(JSON.stringify({ ...validSend, body: fine }), MAX_CLIENT_FRAME_BYTES)).toMatchObject({ body: fine });
  });

  it('list_conversations: a default page for clients from before paging, and only cursors the server could have written', () => {
    expect(decodeClientFrame('{"type":"list_conversations","id":"c"}', MAX_CLIENT_FRAME_BYTES)).toEqual({ type: 'list_conversations', id: 'c', limit: DEFAULT_LIST_CONVERSATIONS_LIMIT });
    expect(decodeClient({ type: 'list_conversations', id: 'c', limit: MAX_LISTED_CONVERSATIONS + 1 }).field).toBe('limit');
    expect(decodeClient({ type: 'list_conversations', id: 'c', cursor: 'a b' }).field).toBe('cursor');
    expect(decodeClient({ type: 'list_conversations', id: 'c', cursor: 'x'.repeat(MAX_CURSOR_CHARS + 1) }).field).toBe('cursor');
  });

  it('a field of the wrong type', () => {
    const error = decodeClient({ type: 'typing', id: 'a', conversationId, active: 'yes' });
    expect(error.field).toBe('active');
    expect(error.message).toMatch(/^active: .*expected boolean/);
  });

  it('a missing field', () => {
    const rest: Record<string, unknown> = { ...validSend };
    delete rest['clientMsgId'];
    expect(decodeClient(rest).field).toBe('clientMsgId');
  });

  it('an unknown key', () => {
    const error = decodeClient({ ...validSend, extra: 1 });
    expect(error.field).toBe('extra');
    expect(error.message).toBe('extra: Unrecognized key');
    expect(error.requestId).toBe('req-1');
  });

  it('a bad seq', () => {
    for (const seq of [0, -1, 1.5, '3', Number.MAX_SAFE_INTEGER + 2]) {
      expect(decodeClient({ type: 'receipt', id: 'a', conversationId, seq, status: 'read' }).field).toBe('seq');
    }
  });

  it('a bad clientMsgId, request id, uuid and out-of-range limit', () => {
    expect(decodeClient({ ...validSend, clientMsgId: 'has space' }).field).toBe('clientMsgId');
    expect(decodeClient({ ...validSend, clientMsgId: 'x'.repeat(65) }).field).toBe('clientMsgId');
    expect(decodeClient({ ...validSend, conversationId: 'not-a-uuid' }).field).toBe('conversationId');
    expect(decodeClient({ type: 'history', id: 'h', conversationId, limit: 101 }).field).toBe('limit');
    const badId = decodeClient({ ...validSend, id: 'x'.repeat(65) });
    expect(badId.field).toBe('id');
    expect(badId.requestId).toBeUndefined();
  });

  it('nested fields with their full path', () => {
    const error = decodeClient({ type: 'sync', id: 's', conversations: [{ conversationId, afterSeq: 0 }, { conversationId: randomUUID(), afterSeq: -1 }] });
    expect(error.field).toBe('conversations.1.afterSeq');
  });

  it('an empty sync and duplicate ids', () => {
    expect(decodeClient({ type: 'sync', id: 's', conversations: [] }).field).toBe('conversations');
    const cursor = { conversationId, afterSeq: 1 };
    expect(decodeClient({ type: 'sync', id: 's', conversations: [cursor, cursor] }).field).toBe('conversations.1.conversationId');
    expect(decodeClient({ type: 'create_group', id: 'g', title: 'T', memberIds: [userA, userB, userA] }).field).toBe('memberIds.2');
  });

  it('a missing, non-string or unknown type', () => {
    expect(decodeClient({ id: 'a' })).toMatchObject({ code: 'invalid_field', field: 'type', requestId: 'a' });
    expect(decodeClient({ id: 'a', type: 5 })).toMatchObject({ code: 'invalid_field', field: 'type' });
    expect(decodeClient({ id: 'a', type: 'fly' })).toMatchObject({ code: 'unknown_type', field: 'type', requestId: 'a' });
    // Server-only types are unknown from a client.
    expect(decodeClient({ id: 'a', type: 'message' }).code).toBe('unknown_type');
  });

  it('type names that exist on Object.prototype', () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(decodeClient({ id: 'a', type }).code).toBe('unknown_type');
    }
  });

  it('input over the byte limit before parsing it', () => {
    const text = JSON.stringify({ ...validSend, body: 'é'.repeat(600) });
    const error = rejection(() => decodeClientFrame(text, 1000));
    expect(error.code).toBe('too_large');
    expect(error.requestId).toBeUndefined();
  });

  it('invalid JSON and non-object JSON', () => {
    expect(rejection(() => decodeClientFrame('{"type":"ping"', 1000)).code).toBe('invalid_json');
    expect(rejection(() => decodeClientFrame('', 1000)).code).toBe('invalid_json');
    for (const text of ['[]', 'null', '"ping"', '42']) {
      const error = rejection(() => decodeClientFrame(text, 1000));
      expect(error.code).toBe('invalid_field');
      expect(error.message).toMatch(/expected a JSON object/);
    }
  });

  it('a __proto__ key, without polluting any prototype', () => {
    const text = `{"type":"send","id":"p","conversationId":"${conversationId}","clientMsgId":"m","body":"x","__proto__":{"polluted":true}}`;
    const error = rejection(() => decodeClientFrame(text, MAX_CLIENT_FRAME_BYTES));
    expect(error.field).toBe('__proto__');
    expect(error.requestId).toBe('p');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('a constructor key', () => {
    const text = `{"type":"list_conversations","id":"c","constructor":{"prototype":{"polluted":true}}}`;
    expect(rejection(() => decodeClientFrame(text, MAX_CLIENT_FRAME_BYTES)).field).toBe('constructor');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('deep nesting cheaply, before parsing', () => {
    const deep = `{"type":"send","id":"d","body":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    // Proven by what runs, not by a wall-clock budget: the depth scan refuses it before JSON.parse builds anything.
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const error = rejection(() => decodeClientFrame(deep, 1_000_000));
      expect(parse).not.toHaveBeenCalled();
      expect(error.code).toBe('too_large');
      expect(error.message).toMatch(/nests deeper/);
    } finally {
      parse.mockRestore();
    }
  });

  it('but not brackets inside strings', () => {
    const frame = decodeClientFrame(JSON.stringify({ ...validSend, body: '[[[[[[[[[[{{{{{{{{{{ "\\" ]' }), MAX_CLIENT_FRAME_BYTES);
    expect(frame.type).toBe('send');
  });
});

describe('errorFrameFor', () => {
  it('maps a rejected frame to an error frame that echoes its id', () => {
    const frame = errorFrameFor(decodeClient({ ...validSend, extra: true }));
    expect(frame).toEqual({ type: 'error', replyTo: 'req-1', code: 'invalid_frame', message: 'extra: Unrecognized key' });
    expect(() => encodeServerFrame(frame)).not.toThrow();
  });

  it('leaves replyTo out when the frame was unreadable and keeps the message within limits', () => {
    const frame = errorFrameFor(rejection(() => decodeClientFrame('nope', 100)));
    expect(frame).toEqual({ type: 'error', code: 'invalid_frame', message: 'input is not valid JSON' });
    const long = errorFrameFor(new ProtocolError('unknown_type', 'x'.repeat(2000)));
    expect(long.code).toBe('unknown_type');
    expect(() => encodeServerFrame(long)).not.toThrow();
  });
});
