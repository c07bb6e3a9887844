import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { thrownBy } from '@chat/testing';
import { ClientFrameSchema as ClientFrameMessage, type ReceiptStatus, SendFrameSchema as SendFrameMessage } from '../../gen/chat/v1/frames_pb';
import { MAX_BODY_CHARS, MAX_CLIENT_FRAME_BYTES, MAX_FRAME_DEPTH, MAX_SERVER_FRAME_BYTES, MAX_SYNC_CONVERSATIONS } from '../limits';
import { ProtocolError } from '../protocol-error';
import { type ClientFrameInput, type ClientFrameOf, type ClientFrameType, ClientFrameTypes } from './client-frames';
import { errorFrameFor } from './codec';
import type { ChatMessage } from './content';
import { ProtoFrames } from './proto-frames';
import { type ServerFrameOf, type ServerFrameType, ServerFrameTypes } from './server-frames';
import { codecOfSubprotocol, JSON_CODEC, negotiateCodec, PROTOBUF_CODEC, WIRE_CODECS, type WireCodec } from './wire-codec';

const conversationId = randomUUID();
const userA = randomUUID();
const userB = randomUUID();
const userC = randomUUID();

const message: ChatMessage = {
  conversationId,
  seq: Number.MAX_SAFE_INTEGER,
  messageId: randomUUID(),
  senderId: userA,
  clientMsgId: 'c-1_x',
  body: '  hello \u{1F600} ünïcödé\n',
  kind: 'text',
  sentAt: 1_700_000_000_000,
  storedAt: 1_700_000_000_012,
};

/**
 * Examples of every frame type, with optional fields both present and absent and the values a
 * binary encoding drops (0, false, empty lists). Typed per type, so a new frame type does not
 * compile until it has one; the "every frame type" tests catch the rest at run time.
 */
const clientExamples: { [T in ClientFrameType]: ClientFrameOf<T>[] } = {
  send: [{ type: 'send', id: 'r1', conversationId, clientMsgId: 'm-1', body: message.body, kind: 'text' }],
  receipt: [
    { type: 'receipt', id: 'r2', conversationId, seq: 3, status: 'read' },
    { type: 'receipt', id: 'r2', conversationId, seq: 1, status: 'delivered' },
  ],
  typing: [
    { type: 'typing', id: 'r3', conversationId, active: true },
    { type: 'typing', id: 'r3', conversationId, active: false },
  ],
  sync: [{ type: 'sync', id: 'r4', conversations: [{ conversationId, afterSeq: 0 }, { conversationId: randomUUID(), afterSeq: 2 ** 40 }] }],
  history: [
    { type: 'history', id: 'r5', conversationId, beforeSeq: 10, limit: 20 },
    { type: 'history', id: 'r5', conversationId, limit: 50 },
  ],
  open_direct: [{ type: 'open_direct', id: 'r6', userId: userB }],
  create_group: [
    { type: 'create_group', id: 'r7', title: 'Team ✓', memberIds: [userA, userB] },
    { type: 'create_group', id: 'r7', title: 'Team', memberIds: [userB], clientGroupId: 'g-1' },
  ],
  add_members: [{ type: 'add_members', id: 'r8', conversationId, userIds: [userB, userC] }],
  remove_member: [{ type: 'remove_member', id: 'r9', conversationId, userId: userB }],
  rename_group: [{ type: 'rename_group', id: 'r10', conversationId, title: 'Renamed' }],
  set_member_role: [
    { type: 'set_member_role', id: 'r11', conversationId, userId: userB, role: 'admin' },
    { type: 'set_member_role', id: 'r11', conversationId, userId: userB, role: 'member' },
  ],
  transfer_ownership: [{ type: 'transfer_ownership', id: 'r12', conversationId, userId: userB }],
  list_conversations: [
    { type: 'list_conversations', id: 'r13', limit: 100 },
    { type: 'list_conversations', id: 'r13', limit: 1, cursor: 'c_1-x' },
  ],
  announce: [
    { type: 'announce', id: 'r14', body: 'maintenance at 22:00', expiresInSeconds: 3600 },
    { type: 'announce', id: 'r14', body: 'again', expiresInSeconds: 86_400, clientAnnouncementId: 'a-1' },
  ],
  ping: [{ type: 'ping', id: 'r15' }, { type: 'ping' }],
};

const serverExamples: { [T in ServerFrameType]: ServerFrameOf<T>[] } = {
  session: [
    {
      type: 'session',
      userId: userA,
      connectionId: randomUUID(),
      sessionId: randomUUID(),
      heartbeatIntervalMs: 25_000,
      idleTimeoutMs: 60_000,
      limits: { maxFrameBytes: 65_536, framesPerSecond: 20, frameBurst: 40, maxConnectionsPerUser: 20 },
      onlineContactIds: [userB],
    },
    {
      type: 'session',
      userId: userA,
      connectionId: randomUUID(),
      heartbeatIntervalMs: 1,
      idleTimeoutMs: 1,
      limits: { maxFrameBytes: 1, framesPerSecond: 1, frameBurst: 1, maxConnectionsPerUser: 1 },
      onlineContactIds: [],
    },
  ],
  accepted: [
    { type: 'accepted', replyTo: 'r1', conversationId, clientMsgId: 'm-1' },
    { type: 'accepted', replyTo: 'r1', conversationId, clientMsgId: 'm-1', seq: 12 },
  ],
  message: [{ type: 'message', ...message }],
  receipt: [{ type: 'receipt', conversationId, userId: userB, seq: 7, status: 'delivered', at: 1_700_000_000_100 }],
  typing: [
    { type: 'typing', conversationId, userId: userB, active: false },
    { type: 'typing', conversationId, userId: userB, active: true },
  ],
  presence: [
    { type: 'presence', userId: userB, online: true, at: 1_700_000_000_200 },
    { type: 'presence', userId: userB, online: false, at: 0 },
  ],
  history_page: [
    { type: 'history_page', replyTo: 'r5', conversationId, messages: [message, { ...message, seq: 1, body: 'x' }], hasMore: true },
    { type: 'history_page', replyTo: 'r5', conversationId, messages: [], hasMore: false },
  ],
  synced: [
    { type: 'synced', replyTo: 'r4', conversations: [{ conversationId, lastSeq: 7 }, { conversationId: randomUUID(), lastSeq: 0 }] },
    { type: 'synced', replyTo: 'r4', conversations: [] },
  ],
  conversation: [
    { type: 'conversation', replyTo: 'r7', conversationId, kind: 'group', title: 'Team', memberIds: [userA, userB], ownerId: userA, adminIds: [], lastSeq: 0, unread: 0 },
    { type: 'conversation', conversationId, kind: 'group', title: 'Team', memberIds: [userA, userB, userC], ownerId: userA, adminIds: [userC], lastSeq: 9, unread: 3 },
    { type: 'conversation', conversationId, kind: 'direct', memberIds: [userA, userB], lastSeq: 2, unread: 1 },
    { type: 'conversation', replyTo: 'r9', conversationId, kind: 'group', title: 'Team', memberIds: [], lastSeq: 4, unread: 0 },
  ],
  conversations: [
    {
      type: 'conversations',
      replyTo: 'r13',
      items: [
        { conversationId, kind: 'direct', memberIds: [userA, userB], lastSeq: 7, unread: 2 },
        { conversationId: randomUUID(), kind: 'group', title: 'G', memberIds: [userA], ownerId: userA, adminIds: [], lastSeq: 0, unread: 0 },
      ],
    },
    { type: 'conversations', replyTo: 'r13', items: [] },
    { type: 'conversations', replyTo: 'r13', items: [], nextCursor: 'c_2-y' },
  ],
  member_added: [{ type: 'member_added', conversationId, userIds: [userB, userC], by: userA }],
  member_removed: [{ type: 'member_removed', conversationId, userId: userB, by: userB }],
  group_updated: [
    { type: 'group_updated', conversationId, title: 'T', ownerId: userA, adminIds: [userB], changed: ['roles'], by: userA },
    { type: 'group_updated', conversationId, title: 'New', ownerId: userA, adminIds: [], changed: ['title', 'roles'], by: userB },
  ],
  announcement: [
    { type: 'announcement', replyTo: 'r14', announcementId: randomUUID(), senderId: userA, body: 'maintenance', sentAt: 1_700_000_000_000, expiresAt: 1_700_003_600_000 },
    { type: 'announcement', announcementId: randomUUID(), senderId: userA, body: 'maintenance', sentAt: 1_700_000_000_000, expiresAt: 1_700_003_600_000 },
  ],
  pong: [{ type: 'pong', replyTo: 'r15' }, { type: 'pong' }],
  error: [
    { type: 'error', replyTo: 'r1', code: 'not_member', message: 'not a member' },
    { type: 'error', code: 'invalid_frame', message: '' },
  ],
};

const clientCases = Object.values(clientExamples).flatMap((frames) => frames.map((frame) => [frame.type, frame] as const));
const serverCases = Object.values(serverExamples).flatMap((frames) => frames.map((frame) => [frame.type, frame] as const));

/** Runs a decode that must fail and returns the ProtocolError. */
const rejection = (decode: () => unknown): ProtocolError => thrownBy(decode, ProtocolError);

/** What a rejection tells the client, compared across codecs. */
const outcome = (error: ProtocolError) => ({ code: error.code, message: error.message, field: error.field, requestId: error.requestId, frame: errorFrameFor(error) });

/** Bytes of any client frame object, valid or not: the encoder without the zod check, as a hostile client would write. */
const rawClientFrames = new ProtoFrames(ClientFrameMessage);
const asJson = (frame: object) => JSON.stringify(frame);
const asProtobuf = (frame: object) => rawClientFrames.encode(frame as { type: string });

describe('every frame type has examples', () => {
  it('client frames', () => {
    expect(Object.keys(clientExamples).sort()).toEqual([...ClientFrameTypes].sort());
    for (const frames of Object.values(clientExamples)) expect(frames.length).toBeGreaterThan(0);
  });

  it('server frames', () => {
    expect(Object.keys(serverExamples).sort()).toEqual([...ServerFrameTypes].sort());
    for (const frames of Object.values(serverExamples)) expect(frames.length).toBeGreaterThan(0);
  });
});

describe.each(WIRE_CODECS.map((codec) => [codec.name, codec] as const))('the %s codec', (_name, codec: WireCodec) => {
  it.each(clientCases)('round-trips the client frame %s to the same value', (_type, frame) => {
    const encoded = codec.encodeClient(frame);
    expect(typeof encoded === 'string').toBe(!codec.binary);
    expect(codec.decodeClient(encoded, MAX_CLIENT_FRAME_BYTES)).toEqual(frame);
  });

  it.each(serverCases)('round-trips the server frame %s to the same value', (_type, frame) => {
    expect(codec.decodeServer(codec.encodeServer(frame), MAX_SERVER_FRAME_BYTES)).toEqual(frame);
    expect(codec.decodeServer(codec.encodeValidServer(frame), MAX_SERVER_FRAME_BYTES)).toEqual(frame);
  });

  it('writes defaults out: kind text, history limit 50', () => {
    const send: ClientFrameInput = { type: 'send', id: 'r', conversationId, clientMsgId: 'm', body: 'hi' };
    expect(codec.decodeClient(codec.encodeClient(send), MAX_CLIENT_FRAME_BYTES)).toEqual({ ...send, kind: 'text' });
    const history: ClientFrameInput = { type: 'history', id: 'h', conversationId };
    expect(codec.decodeClient(codec.encodeClient(history), MAX_CLIENT_FRAME_BYTES)).toEqual({ ...history, limit: 50 });
  });

  it('refuses to encode an invalid frame, naming the field', () => {
    expect(rejection(() => codec.encodeServer({ type: 'message', ...message, seq: 0 })).field).toBe('frame.seq');
    expect(rejection(() => codec.encodeClient({ type: 'send', id: 'r', conversationId, clientMsgId: 'm', body: ' ' })).field).toBe('body');
  });

  it('refuses a WebSocket message of the other kind (text or binary)', () => {
    const other = codec.binary ? asJson({ type: 'ping' }) : new TextEncoder().encode(asJson({ type: 'ping' }));
    const error = rejection(() => codec.decodeClient(other, MAX_CLIENT_FRAME_BYTES));
    expect(error.code).toBe('invalid_encoding');
    expect(errorFrameFor(error).code).toBe('invalid_frame');
  });
});

describe('both codecs refuse the same frames the same way', () => {
  const longSync = Array.from({ length: MAX_SYNC_CONVERSATIONS + 1 }, () => ({ conversationId: randomUUID(), afterSeq: 0 }));
  const invalidFrames: [string, object][] = [
    ['a body over the limit', { type: 'send', id: 'q1', conversationId, clientMsgId: 'm', body: 'x'.repeat(MAX_BODY_CHARS + 1) }],
    ['a whitespace-only body', { type: 'send', id: 'q2', conversationId, clientMsgId: 'm', body: ' \n ' }],
    ['a NUL in a body', { type: 'send', id: 'q3', conversationId, clientMsgId: 'm', body: 'a\u0000b' }],
    ['a bad uuid', { type: 'open_direct', id: 'q4', userId: 'not-a-uuid' }],
    ['a bad clientMsgId', { type: 'send', id: 'q5', conversationId, clientMsgId: 'has space', body: 'hi' }],
    ['a request id over 64 characters', { type: 'list_conversations', id: 'x'.repeat(65) }],
    ['a negative seq', { type: 'receipt', id: 'q6', conversationId, seq: -1, status: 'read' }],
    ['a seq beyond 2^53', { type: 'receipt', id: 'q7', conversationId, seq: 2 ** 60, status: 'read' }],
    ['a history limit over the maximum', { type: 'history', id: 'q8', conversationId, limit: 101 }],
    ['a duplicate member', { type: 'create_group', id: 'q9', title: 'T', memberIds: [userA, userA] }],
    ['too many sync cursors', { type: 'sync', id: 'q10', conversations: longSync }],
    ['a duplicate sync cursor, with its full path', { type: 'sync', id: 'q11', conversations: [{ conversationId, afterSeq: 0 }, { conversationId, afterSeq: 1 }] }],
    ['an announcement expiry out of range', { type: 'announce', id: 'q12', body: 'hi', expiresInSeconds: 1 }],
  ];

  it.each(invalidFrames)('%s: same code, message, field and request id', (_name, frame) => {
    const json = rejection(() => JSON_CODEC.decodeClient(asJson(frame), MAX_CLIENT_FRAME_BYTES));
    const protobuf = rejection(() => PROTOBUF_CODEC.decodeClient(asProtobuf(frame), MAX_CLIENT_FRAME_BYTES));
    expect(json.code).toBe('invalid_field');
    expect(outcome(protobuf)).toEqual(outcome(json));
  });

  it('an unknown enum value', () => {
    const json = rejection(() => JSON_CODEC.decodeClient(asJson({ type: 'receipt', id: 'q', conversationId, seq: 1, status: 'seen' }), MAX_CLIENT_FRAME_BYTES));
    // A number the .proto does not know (a newer client's status) stays a number; zod refuses it at the same field.
    const valid = create(ClientFrameMessage, { frame: { case: 'receipt', value: { id: 'q', conversationId, seq: 1n, status: 7 as ReceiptStatus } } });
    const protobuf = rejection(() => PROTOBUF_CODEC.decodeClient(toBinary(ClientFrameMessage, valid), MAX_CLIENT_FRAME_BYTES));
    expect([protobuf.code, protobuf.field, protobuf.requestId]).toEqual([json.code, json.field, json.requestId]);
  });

  it('a missing required field (Protobuf reads it as its zero value, which zod refuses)', () => {
    const frame = { type: 'open_direct', id: 'q' };
    const json = rejection(() => JSON_CODEC.decodeClient(asJson(frame), MAX_CLIENT_FRAME_BYTES));
    const protobuf = rejection(() => PROTOBUF_CODEC.decodeClient(asProtobuf(frame), MAX_CLIENT_FRAME_BYTES));
    expect([protobuf.code, protobuf.field, protobuf.requestId]).toEqual(['invalid_field', 'userId', 'q']);
    expect([json.code, json.field, json.requestId]).toEqual(['invalid_field', 'userId', 'q']);
  });

  it('a frame over the byte limit, before reading it', () => {
    const frame = { type: 'send', id: 'q', conversationId, clientMsgId: 'm', body: 'x'.repeat(200) };
    for (const encoded of [asJson(frame), asProtobuf(frame)]) {
      const codec = typeof encoded === 'string' ? JSON_CODEC : PROTOBUF_CODEC;
      const error = rejection(() => codec.decodeClient(encoded, 100));
      expect(error.code).toBe('too_large');
      expect(error.message).toMatch(/^input of \d+ bytes exceeds the limit of 100 bytes$/);
      expect(errorFrameFor(error).code).toBe('too_large');
    }
  });

  it('an unknown frame type (a newer peer), so an SDK can skip it', () => {
    const json = rejection(() => JSON_CODEC.decodeServer(asJson({ type: 'teleport' }), MAX_SERVER_FRAME_BYTES));
    const newerCase = new BinaryWriter().tag(99, WireType.LengthDelimited).bytes(new Uint8Array()).finish();
    const protobuf = rejection(() => PROTOBUF_CODEC.decodeServer(newerCase, MAX_SERVER_FRAME_BYTES));
    expect([json.code, protobuf.code]).toEqual(['unknown_type', 'unknown_type']);
    expect(protobuf.message).toBe('type: unknown frame type (field number 99)');
    expect(errorFrameFor(protobuf).code).toBe('unknown_type');
  });

  it('nesting deeper than MAX_FRAME_DEPTH', () => {
    const json = rejection(() => JSON_CODEC.decodeClient(`${'['.repeat(MAX_FRAME_DEPTH + 1)}${']'.repeat(MAX_FRAME_DEPTH + 1)}`, MAX_CLIENT_FRAME_BYTES));
    // Unknown groups inside groups: the only way to nest deeper than the schema does.
    let nested = new Uint8Array();
    for (let depth = 0; depth < MAX_FRAME_DEPTH + 1; depth++) nested = new BinaryWriter().tag(50, WireType.StartGroup).raw(nested).tag(50, WireType.EndGroup).finish();
    const protobuf = rejection(() => PROTOBUF_CODEC.decodeClient(nested, MAX_CLIENT_FRAME_BYTES));
    expect(outcome(protobuf)).toEqual(outcome(json));
    expect(json.code).toBe('too_large');
  });
});

describe('the Protobuf codec, strictly', () => {
  /** A `send` frame whose inner message carries an extra field 15. */
  function sendWithExtraField(): Uint8Array {
    const send = toBinary(SendFrameMessage, create(SendFrameMessage, { id: 'r1', conversationId, clientMsgId: 'm', body: 'hi' }));
    const inner = new BinaryWriter().raw(send).tag(15, WireType.Varint).int32(1).finish();
    return new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(inner).finish();
  }

  it('refuses a field the .proto does not list, like JSON refuses an unknown key, and answers the request', () => {
    const error = rejection(() => PROTOBUF_CODEC.decodeClient(sendWithExtraField(), MAX_CLIENT_FRAME_BYTES));
    expect(outcome(error)).toMatchObject({ code: 'invalid_field', message: 'frame: Unrecognized field (number 15)', requestId: 'r1' });
    expect(errorFrameFor(error)).toEqual({ type: 'error', replyTo: 'r1', code: 'invalid_frame', message: 'frame: Unrecognized field (number 15)' });
  });

  it('names the path of an unknown field in a nested message', () => {
    const cursor = new BinaryWriter().tag(1, WireType.LengthDelimited).string(conversationId).tag(9, WireType.Varint).int32(1).finish();
    const sync = new BinaryWriter().tag(1, WireType.LengthDelimited).string('r4').tag(2, WireType.LengthDelimited).bytes(cursor).finish();
    const bytes = new BinaryWriter().tag(4, WireType.LengthDelimited).bytes(sync).finish();
    expect(rejection(() => PROTOBUF_CODEC.decodeClient(bytes, MAX_CLIENT_FRAME_BYTES)).message).toBe('conversations.0: Unrecognized field (number 9)');
  });

  it('refuses bytes that are not a frame, and a frame that names no type', () => {
    expect(outcome(rejection(() => PROTOBUF_CODEC.decodeClient(new Uint8Array([0xff, 0xff, 0xff]), MAX_CLIENT_FRAME_BYTES)))).toMatchObject({
      code: 'invalid_encoding',
      message: 'frame: not a Protobuf chat.v1.ClientFrame',
    });
    expect(outcome(rejection(() => PROTOBUF_CODEC.decodeClient(new Uint8Array(), MAX_CLIENT_FRAME_BYTES)))).toMatchObject({ code: 'invalid_field', field: 'type' });
  });

  it('keeps absent optional fields absent and zero values present', () => {
    const frame: ServerFrameOf<'conversation'> = { type: 'conversation', conversationId, kind: 'direct', memberIds: [userA, userB], lastSeq: 0, unread: 0 };
    const decoded = PROTOBUF_CODEC.decodeServer(PROTOBUF_CODEC.encodeServer(frame), MAX_SERVER_FRAME_BYTES);
    expect(Object.keys(decoded).sort()).toEqual(Object.keys(frame).sort());
  });

  it('gives 64-bit integers back as JavaScript numbers', () => {
    const decoded = PROTOBUF_CODEC.decodeServer(PROTOBUF_CODEC.encodeServer({ type: 'message', ...message }), MAX_SERVER_FRAME_BYTES) as ServerFrameOf<'message'>;
    expect([typeof decoded.seq, typeof decoded.sentAt]).toEqual(['number', 'number']);
    expect(decoded.seq).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('is smaller than JSON for every example', () => {
    for (const [, frame] of serverCases) expect(PROTOBUF_CODEC.encodeServer(frame).length).toBeLessThan(JSON_CODEC.encodeServer(frame).length);
  });
});

describe('negotiation', () => {
  it('picks the first supported subprotocol the client offered, JSON when it offered none', () => {
    expect(negotiateCodec([])).toBe(JSON_CODEC);
    expect(negotiateCodec(['chat.v1.protobuf'])).toBe(PROTOBUF_CODEC);
    expect(negotiateCodec(['chat.v2.cbor', 'chat.v1.json', 'chat.v1.protobuf'])).toBe(JSON_CODEC);
    expect(negotiateCodec(new Set(['chat.v1.protobuf', 'chat.v1.json']))).toBe(PROTOBUF_CODEC);
  });

  it('finds none when nothing offered is supported', () => {
    expect(negotiateCodec(['chat.v2.cbor', 'mqtt'])).toBeUndefined();
  });

  it("reads an open socket's codec from its negotiated subprotocol", () => {
    expect(codecOfSubprotocol('')).toBe(JSON_CODEC);
    expect(codecOfSubprotocol('chat.v1.json')).toBe(JSON_CODEC);
    expect(codecOfSubprotocol('chat.v1.protobuf')).toBe(PROTOBUF_CODEC);
    expect(codecOfSubprotocol('mqtt')).toBeUndefined();
  });
});
