import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SeededRandom } from '@chat/testing';

/*
 * Hostile input for the fuzz test as fast-check arbitraries: the nasty strings, and generators of
 * WebSocket frames and auth REST bodies, each built from a valid shape and then broken in one or
 * more ways. The test draws them from seeded infinite streams inside `fc.assert`, so a failing run
 * prints its seed and replays from it (FUZZ_SEED).
 */

/** Seed from FUZZ_SEED (to replay a failure) or a fresh one. */
export function fuzzSeed(): number {
  return SeededRandom.seedFrom('FUZZ_SEED');
}

export const SQL_STRINGS = [
  "' OR '1'='1",
  "admin'--",
  "'; DROP TABLE messages; --",
  '"; DELETE FROM users WHERE ""="',
  "1; SELECT pg_sleep(10)--",
  "\\'; TRUNCATE conversations CASCADE; --",
  '%_%',
  "$$; COPY users TO '/tmp/x'; $$",
  'x\\0y',
  "' UNION SELECT password_hash FROM users --",
];

export const UNICODE_STRINGS = [
  '\ud800',
  'tail \udc00',
  '\udfff\ud800 reversed pair',
  '\u202eevil\u202c rtl override',
  'שלום עולם',
  'مرحبا بالعالم',
  'zero\u200bwidth\u200d\u2060joiners',
  '\ufeffbom',
  '👩‍👩‍👧‍👦 family ZWJ',
  '🏳️‍🌈 flag',
  'e\u0301\u0301\u0301\u0301 combining',
  '\u0000nul',
  'control \u0001\u0007\u001b[31m',
  '\u2028line\u2029para',
  '\uffff\ufffe nonchars',
  '𝕳𝖊𝖑𝖑𝖔 astral',
];

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];

const FRAME_TYPES = ['send', 'receipt', 'typing', 'sync', 'history', 'open_direct', 'create_group', 'add_members', 'remove_member', 'list_conversations', 'ping'] as const;

export interface FuzzTargets {
  /** A group the fuzzing user belongs to: sends there are stored, so hostile bodies reach the database. */
  memberConversationId: string;
  /** A real user other than the fuzzing one. */
  peerUserId: string;
}

export type FuzzFrame = { kind: 'text'; text: string } | { kind: 'binary'; data: Buffer } | { kind: 'raw-text'; data: Buffer };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * A generated frame still missing its number: frames get unique request ids `f<n>` and clientMsgIds
 * `c<n>` in the order they are sent (see FrameFuzzer), so answers can be matched.
 */
export type FrameRecipe = (n: number) => FuzzFrame;
type ValidFrameRecipe = (n: number) => JsonObject;

/** `key` set as an own property, even `__proto__` (which plain assignment would turn into the prototype). */
function withKey(object: JsonObject, key: string, value: Json): JsonObject {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** An index into something whose length is known only when the value is built. */
const position = fc.nat();
const at = (index: number, length: number): number => (length === 0 ? 0 : index % length);

/** Strings an attacker would put anywhere: SQL, unicode edge cases, prototype names, sizes at the limits. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL_STRINGS),
  { arbitrary: fc.constantFrom(...UNICODE_STRINGS), weight: 2 },
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.constantFrom('', ' ', '\t\n', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10'),
  // Around the body, id and title limits.
  fc.constantFrom(63, 64, 65, 99, 100, 101, 3999, 4000, 4001, 8000).map((length) => 'b'.repeat(length)),
  fc.tuple(fc.constantFrom(...UNICODE_STRINGS), fc.constantFrom(...SQL_STRINGS)).map(([unicode, sql]) => `${unicode}${sql}`),
  // Any UTF-16 code units, lone surrogates included.
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 20 }).map((units) => String.fromCharCode(...units)),
);

const hostileValues = new Map<number, fc.Arbitrary<Json>>();

/** Any JSON value, hostile where it can be: numbers at the limits, hostile strings, prototype keys; nested at most three deep. */
export function hostileValue(depth = 0): fc.Arbitrary<Json> {
  const known = hostileValues.get(depth);
  if (known) return known;
  const leaves: Array<fc.WeightedArbitrary<Json>> = [
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.boolean(), weight: 1 },
    { arbitrary: fc.constantFrom(0, -1, 1.5, 2 ** 53, -(2 ** 53) - 2, 1e308, Number.MIN_VALUE), weight: 1 },
    { arbitrary: hostileString, weight: 3 },
    { arbitrary: fc.constant([]), weight: 1 },
  ];
  const nested: Array<fc.WeightedArbitrary<Json>> =
    depth > 2
      ? []
      : [
          { arbitrary: fc.array(hostileValue(depth + 1), { maxLength: 3 }), weight: 1 },
          {
            arbitrary: fc
              .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), hostileString.map((key) => key.slice(0, 20))), hostileValue(depth + 1)), { minLength: 1, maxLength: 3 })
              .map((entries) => entries.reduce<JsonObject>((object, [key, value]) => withKey(object, key, value), {})),
            weight: 1,
          },
        ];
  const arbitrary = fc.oneof(...leaves, ...nested);
  hostileValues.set(depth, arbitrary);
  return arbitrary;
}

/** A schema-valid frame of a random type, aimed at the member conversation or at nobody's. */
export function validFrame(targets: FuzzTargets): fc.Arbitrary<ValidFrameRecipe> {
  const conversationId = fc.oneof(fc.constant(targets.memberConversationId), fc.uuid({ version: 4 }));
  const nobody = fc.uuid({ version: 4 });
  const frames: Record<(typeof FRAME_TYPES)[number], fc.Arbitrary<ValidFrameRecipe>> = {
    send: fc
      .tuple(conversationId, fc.oneof(fc.constantFrom(...SQL_STRINGS).map((sql) => ({ sql })), fc.constantFrom(...UNICODE_STRINGS).map((text) => ({ text }))))
      .map(([id, body]) => (n) => ({ type: 'send', id: `f${n}`, conversationId: id, clientMsgId: `c${n}`, body: 'sql' in body ? `fuzz ${n} ${body.sql}` : body.text, kind: 'text' })),
    receipt: fc
      .tuple(conversationId, fc.integer({ min: 1, max: 5 }), fc.constantFrom('delivered', 'read'))
      .map(([id, seq, status]) => (n) => ({ type: 'receipt', id: `f${n}`, conversationId: id, seq, status })),
    typing: fc.tuple(conversationId, fc.boolean()).map(([id, active]) => (n) => ({ type: 'typing', id: `f${n}`, conversationId: id, active })),
    sync: fc.tuple(conversationId, fc.integer({ min: 0, max: 2 })).map(([id, afterSeq]) => (n) => ({ type: 'sync', id: `f${n}`, conversations: [{ conversationId: id, afterSeq }] })),
    history: fc.tuple(conversationId, fc.integer({ min: 1, max: 5 })).map(([id, limit]) => (n) => ({ type: 'history', id: `f${n}`, conversationId: id, limit })),
    open_direct: fc
      .oneof({ arbitrary: fc.constant(targets.peerUserId), weight: 3 }, { arbitrary: nobody, weight: 7 })
      .map((userId) => (n) => ({ type: 'open_direct', id: `f${n}`, userId })),
    create_group: fc
      .tuple(fc.constantFrom(...UNICODE_STRINGS, ...SQL_STRINGS), nobody)
      .map(([title, member]) => (n) => ({ type: 'create_group', id: `f${n}`, title, memberIds: [member] })),
    add_members: fc.tuple(conversationId, nobody).map(([id, userId]) => (n) => ({ type: 'add_members', id: `f${n}`, conversationId: id, userIds: [userId] })),
    remove_member: fc.tuple(conversationId, nobody).map(([id, userId]) => (n) => ({ type: 'remove_member', id: `f${n}`, conversationId: id, userId })),
    list_conversations: fc.constant((n: number) => ({ type: 'list_conversations', id: `f${n}` })),
    ping: fc.constant((n: number) => ({ type: 'ping', id: `f${n}` })),
  };
  return fc.oneof(...FRAME_TYPES.map((type) => frames[type]));
}

type Mutation = (copy: JsonObject, keys: string[]) => Json | undefined;

/** One step of breaking a frame; a step that returns a value replaces the whole frame with it. */
const mutationStep: fc.Arbitrary<Mutation> = fc.oneof(
  position.map((index): Mutation => (copy, keys) => {
    delete copy[keys[at(index, keys.length)] as string];
    return undefined;
  }),
  {
    arbitrary: fc.tuple(position, hostileValue()).map(([index, value]): Mutation => (copy, keys) => {
      withKey(copy, keys[at(index, keys.length)] as string, value);
      return undefined;
    }),
    weight: 2,
  },
  // JSON.parse makes `__proto__` an own key, which is exactly what must be refused.
  fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), hostileValue()).map(([key, value]): Mutation => (copy) => {
    withKey(copy, key, value);
    return undefined;
  }),
  fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'SEND', 'send ', 'pong', 'message', 'error'), hostileString).map((type): Mutation => (copy) => {
    copy['type'] = type;
    return undefined;
  }),
  fc.tuple(hostileString, hostileValue()).map(([key, value]): Mutation => (copy) => {
    withKey(copy, key.slice(0, 30), value);
    return undefined;
  }),
  fc.constantFrom('nested', null, 42, 'send', true, 'empty').map((shape): Mutation => (copy) => (shape === 'nested' ? [copy] : shape === 'empty' ? [] : shape)),
  fc
    .tuple(position, fc.oneof(fc.constant(7), fc.integer({ min: 9, max: 48 })), fc.boolean())
    .map(([index, levels, arrays]): Mutation => (copy, keys) => {
      copy[keys[at(index, keys.length)] as string] = deep(levels, arrays);
      return undefined;
    }),
);

/** Breaks a valid object: drop, retype, replace or add fields, nest it, or rename its type (one to three steps). */
export const mutation: fc.Arbitrary<(value: JsonObject) => Json> = fc.array(mutationStep, { minLength: 1, maxLength: 3 }).map((steps) => (value) => {
  const keys = Object.keys(value);
  const copy: JsonObject = { ...value };
  for (const step of steps) {
    const replaced = step(copy, keys);
    if (replaced !== undefined) return replaced;
  }
  return copy;
});

/** Breaks JSON text: cut short, trailing junk, a flipped character, wrong quotes or colons, or a truncated object. */
const brokenJson: fc.Arbitrary<(text: string) => string> = fc.oneof(
  position.map((index) => (text: string) => text.slice(0, at(index, text.length))),
  fc.constantFrom('}', ',', ']', ' garbage', '{}').map((junk) => (text: string) => `${text}${junk}`),
  fc.tuple(position, fc.integer({ min: 0, max: 127 })).map(([index, code]) => (text: string) => {
    const i = at(index, text.length);
    return `${text.slice(0, i)}${String.fromCharCode(code)}${text.slice(i + 1)}`;
  }),
  fc.constant((text: string) => text.replace(/"/g, "'")),
  fc.constant((text: string) => text.replace(/:/, ':: ')),
  fc.integer({ min: 0, max: 9 }).map((count) => () => `{"type":"send","id":"x",${'"a":1,'.repeat(count)}}`),
);

/** The frame with a padding field (or an oversized body) taking it to `bytes` bytes. */
function padTo(frame: JsonObject, bytes: number, preferBody: boolean): string {
  const key = preferBody && 'body' in frame ? 'body' : 'padding';
  const base = JSON.stringify({ ...frame, [key]: '' });
  return JSON.stringify({ ...frame, [key]: 'p'.repeat(Math.max(0, bytes - Buffer.byteLength(base))) });
}

/** One hostile frame; most are unreadable, some valid, a few are beyond what the socket accepts. */
export function fuzzFrame(targets: FuzzTargets, maxFrameBytes: number): fc.Arbitrary<FrameRecipe> {
  const valid = validFrame(targets);
  const text = (make: (n: number) => string): FrameRecipe => (n) => ({ kind: 'text', text: make(n) });
  return fc.oneof(
    { arbitrary: valid.map((frame) => text((n) => JSON.stringify(frame(n)))), weight: 15 },
    { arbitrary: fc.tuple(valid, mutation).map(([frame, mutate]) => text((n) => JSON.stringify(mutate(frame(n))))), weight: 45 },
    { arbitrary: fc.tuple(valid, brokenJson).map(([frame, breakText]) => text((n) => breakText(JSON.stringify(frame(n))))), weight: 15 },
    { arbitrary: valid.map((frame): FrameRecipe => (n) => ({ kind: 'binary', data: Buffer.from(JSON.stringify(frame(n))) })), weight: 5 },
    { arbitrary: fc.tuple(valid, fc.integer({ min: 0, max: 199 }), fc.boolean()).map(([frame, under, body]) => text((n) => padTo(frame(n), maxFrameBytes - 1 - under, body))), weight: 5 },
    { arbitrary: fc.constantFrom(8, 9, 10, 64, 5000).map((levels) => text(() => rawDeep(levels))), weight: 5 },
    { arbitrary: hostileValue().map((value) => text(() => JSON.stringify(value))), weight: 5 },
    {
      arbitrary: fc.constantFrom('', ' ', 'null', '{}', '[]', '"send"', '{"type":null}', '{"type":"ping","id":""}', '{"type":"ping","type":"send"}', '{"type":"ping"}').map((raw) => text(() => raw)),
      weight: 3,
    },
    // Beyond the socket's own limits: the gateway's ws closes (1009 too big, 1007 invalid UTF-8).
    { arbitrary: fc.tuple(valid, fc.integer({ min: 0, max: 4999 }), fc.boolean()).map(([frame, over, body]) => text((n) => padTo(frame(n), maxFrameBytes + 1 + over, body))), weight: 1 },
    { arbitrary: fc.constant((): FuzzFrame => ({ kind: 'raw-text', data: Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) })), weight: 1 },
  );
}

/** Draws from a generated infinite stream (fc.infiniteStream) one value at a time. */
export function drawFrom<T>(stream: Iterator<T>): () => T {
  return () => {
    const drawn = stream.next();
    if (drawn.done) throw new Error('the generated stream ended');
    return drawn.value;
  };
}

/** Numbers the frames of one connection as they are sent: request ids `f1`, `f2`, … */
export class FrameFuzzer {
  private counter = 0;

  constructor(private readonly recipe: () => FrameRecipe) {}

  next(): FuzzFrame {
    return this.recipe()((this.counter += 1));
  }
}

function deep(levels: number, arrays: boolean): Json {
  let value: Json = 'core';
  for (let i = 0; i < levels; i += 1) value = arrays ? [value] : { n: value };
  return value;
}

/** Deep nesting written out as text, so even depths JSON.stringify would choke on are cheap. */
function rawDeep(levels: number): string {
  return `{"type":"send","id":"deep","body":${'['.repeat(levels)}${']'.repeat(levels)}}`;
}

export interface AuthRequest {
  path: string;
  text: string;
  contentType: string;
}

/** Bodies for POST /auth/register, /auth/login and /auth/refresh: wrong types, hostile names, sizes, bad JSON. */
export function authRequest(): fc.Arbitrary<AuthRequest> {
  const contentType = fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 9 },
    { arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16'), weight: 1 },
  );
  const username = fc.oneof(
    { arbitrary: fc.constantFrom<Json>(...SQL_STRINGS, ...UNICODE_STRINGS, ...PROTOTYPE_KEYS), weight: 6 },
    // Fresh on every run, replays included, so a valid registration is not refused as taken.
    { arbitrary: fc.constant(null).map((): Json => `fz_${randomUUID().slice(0, 8)}`), weight: 2 },
    { arbitrary: hostileValue(), weight: 2 },
  );
  const password = fc.oneof(
    { arbitrary: fc.constantFrom(...SQL_STRINGS).map((sql): Json => `${sql}-long-enough`), weight: 2 },
    fc.constantFrom(9, 10, 256, 257, 16_000).map((length): Json => 'p'.repeat(length)),
    hostileValue(),
  );
  const refreshToken = fc.oneof(fc.tuple(fc.uuid({ version: 4 }), fc.constantFrom(...SQL_STRINGS)).map(([id, sql]): Json => `${id}.${sql}`), hostileValue());
  const base = (path: string): fc.Arbitrary<JsonObject> =>
    path === '/auth/refresh' ? refreshToken.map((token) => ({ refreshToken: token })) : fc.tuple(username, password).map(([name, secret]) => ({ username: name, password: secret }));
  return fc.tuple(fc.constantFrom('/auth/register', '/auth/login', '/auth/refresh'), contentType).chain(([path, type]) => {
    const request = (text: string): AuthRequest => ({ path, contentType: type, text });
    return fc.oneof(
      base(path).map((body) => request(JSON.stringify(body))),
      fc.tuple(base(path), mutation).map(([body, mutate]) => request(JSON.stringify(mutate(body)))),
      // Written as text: in an object literal `__proto__` would set the prototype, not a key.
      base(path).map((body) => request(JSON.stringify(body).replace(/^\{/, '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},'))),
      fc.tuple(base(path), fc.integer({ min: 0, max: 29 })).map(([body, length]) => request(JSON.stringify(body).slice(0, length))),
      // Around the 16 KiB body limit.
      fc.tuple(base(path), fc.constantFrom(16_000, 16_300, 16_500, 40_000)).map(([body, length]) => request(JSON.stringify({ ...body, pad: 'x'.repeat(length) }))),
      fc.constantFrom(10, 100, 5000).map((levels) => request(`${'['.repeat(levels)}${']'.repeat(10)}`)),
      hostileValue().map((value) => request(JSON.stringify(value))),
    );
  });
}
