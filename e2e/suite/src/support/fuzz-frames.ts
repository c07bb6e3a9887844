import { randomUUID } from 'node:crypto';

/*
 * Seeded generation of hostile input for the fuzz test: a small PRNG (so a failing run reproduces
 * from its printed seed), the nasty strings, and generators of WebSocket frames and auth REST
 * bodies, each built from a valid shape and then broken in one or more ways.
 */

/** mulberry32: tiny, fast and good enough to pick test cases; never for anything secret. */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A deterministic UUID-shaped id (valid syntax; belongs to nobody). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** Seed from FUZZ_SEED (to replay a failure) or a fresh one. */
export function fuzzSeed(): number {
  const fixed = process.env['FUZZ_SEED'];
  return fixed ? Number(fixed) >>> 0 : Math.floor(Math.random() * 2 ** 32) >>> 0;
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

const FRAME_TYPES = ['send', 'receipt', 'typing', 'sync', 'history', 'open_direct', 'create_group', 'add_members', 'remove_member', 'list_conversations', 'ping'];

export interface FuzzTargets {
  /** A group the fuzzing user belongs to: sends there are stored, so hostile bodies reach the database. */
  memberConversationId: string;
  /** A real user other than the fuzzing one. */
  peerUserId: string;
}

export type FuzzFrame = { kind: 'text'; text: string } | { kind: 'binary'; data: Buffer } | { kind: 'raw-text'; data: Buffer };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Frames are generated with unique request ids `f<n>` and clientMsgIds `c<n>`, so answers can be matched. */
export class FrameFuzzer {
  private counter = 0;

  constructor(
    private readonly rng: Prng,
    private readonly targets: FuzzTargets,
    private readonly maxFrameBytes: number,
  ) {}

  /** Strings an attacker would put anywhere: SQL, unicode edge cases, prototype names, sizes at the limits. */
  hostileString(): string {
    const r = this.rng;
    switch (r.int(8)) {
      case 0:
        return r.pick(SQL_STRINGS);
      case 1:
      case 2:
        return r.pick(UNICODE_STRINGS);
      case 3:
        return r.pick(PROTOTYPE_KEYS);
      case 4:
        return r.pick(['', ' ', '\t\n', 'null', 'undefined', 'NaN', '-1', '1e309', '0x10']);
      case 5:
        // Around the body, id and title limits.
        return 'b'.repeat(r.pick([63, 64, 65, 99, 100, 101, 3999, 4000, 4001, 8000]));
      case 6:
        return `${r.pick(UNICODE_STRINGS)}${r.pick(SQL_STRINGS)}`;
      default:
        return Array.from({ length: 1 + r.int(20) }, () => String.fromCharCode(r.int(0x10000))).join('');
    }
  }

  hostileValue(depth = 0): Json {
    const r = this.rng;
    switch (r.int(depth > 2 ? 7 : 9)) {
      case 0:
        return null;
      case 1:
        return r.chance(0.5);
      case 2:
        return r.pick([0, -1, 1.5, 2 ** 53, -(2 ** 53) - 2, 1e308, Number.MIN_VALUE]);
      case 3:
      case 4:
      case 5:
        return this.hostileString();
      case 6:
        return [];
      case 7:
        return Array.from({ length: r.int(4) }, () => this.hostileValue(depth + 1));
      default: {
        const value: { [key: string]: Json } = {};
        for (let i = r.int(3); i >= 0; i -= 1) value[r.chance(0.5) ? r.pick(PROTOTYPE_KEYS) : this.hostileString().slice(0, 20)] = this.hostileValue(depth + 1);
        return value;
      }
    }
  }

  /** A schema-valid frame of a random type, aimed at the member conversation or at nobody's. */
  validFrame(): { [key: string]: Json } {
    const r = this.rng;
    const id = `f${(this.counter += 1)}`;
    const conversationId = r.chance(0.5) ? this.targets.memberConversationId : r.uuid();
    switch (r.pick(FRAME_TYPES)) {
      case 'send':
        return { type: 'send', id, conversationId, clientMsgId: `c${this.counter}`, body: r.chance(0.5) ? `fuzz ${this.counter} ${r.pick(SQL_STRINGS)}` : r.pick(UNICODE_STRINGS), kind: 'text' };
      case 'receipt':
        return { type: 'receipt', id, conversationId, seq: 1 + r.int(5), status: r.pick(['delivered', 'read']) };
      case 'typing':
        return { type: 'typing', id, conversationId, active: r.chance(0.5) };
      case 'sync':
        return { type: 'sync', id, conversations: [{ conversationId, afterSeq: r.int(3) }] };
      case 'history':
        return { type: 'history', id, conversationId, limit: 1 + r.int(5) };
      case 'open_direct':
        return { type: 'open_direct', id, userId: r.chance(0.3) ? this.targets.peerUserId : r.uuid() };
      case 'create_group':
        return { type: 'create_group', id, title: r.pick(UNICODE_STRINGS.concat(SQL_STRINGS)), memberIds: [r.uuid()] };
      case 'add_members':
        return { type: 'add_members', id, conversationId, userIds: [r.uuid()] };
      case 'remove_member':
        return { type: 'remove_member', id, conversationId, userId: r.uuid() };
      case 'list_conversations':
        return { type: 'list_conversations', id };
      default:
        return { type: 'ping', id };
    }
  }

  /** Breaks a valid frame: drop, retype, replace or add fields, nest it, or rename its type. */
  mutate(frame: { [key: string]: Json }): Json {
    const r = this.rng;
    const keys = Object.keys(frame);
    const copy: { [key: string]: Json } = { ...frame };
    for (let i = 1 + r.int(3); i > 0; i -= 1) {
      switch (r.int(8)) {
        case 0:
          delete copy[r.pick(keys)];
          break;
        case 1:
        case 2:
          copy[r.pick(keys)] = this.hostileValue();
          break;
        case 3:
          // JSON.parse makes `__proto__` an own key, which is exactly what must be refused.
          copy[r.pick(PROTOTYPE_KEYS)] = this.hostileValue();
          break;
        case 4:
          copy['type'] = r.pick([...PROTOTYPE_KEYS, 'SEND', 'send ', 'pong', 'message', 'error', this.hostileString()]);
          break;
        case 5:
          copy[this.hostileString().slice(0, 30)] = this.hostileValue();
          break;
        case 6:
          return r.pick([[copy], null, 42, 'send', true, []]);
        default:
          copy[r.pick(keys)] = deep(r.chance(0.5) ? 7 : 9 + r.int(40), r.chance(0.5));
      }
    }
    return copy;
  }

  /** One hostile frame; most are unreadable, some valid, a few are beyond what the socket accepts. */
  next(): FuzzFrame {
    const r = this.rng;
    const roll = r.int(100);
    if (roll < 15) return { kind: 'text', text: JSON.stringify(this.validFrame()) };
    if (roll < 60) return { kind: 'text', text: JSON.stringify(this.mutate(this.validFrame())) };
    if (roll < 75) return { kind: 'text', text: this.brokenJson(JSON.stringify(this.validFrame())) };
    if (roll < 80) return { kind: 'binary', data: Buffer.from(JSON.stringify(this.validFrame())) };
    if (roll < 85) return { kind: 'text', text: this.padTo(this.validFrame(), this.maxFrameBytes - 1 - r.int(200)) };
    if (roll < 90) return { kind: 'text', text: rawDeep(r.pick([8, 9, 10, 64, 5000])) };
    if (roll < 95) return { kind: 'text', text: JSON.stringify(this.hostileValue()) };
    if (roll < 98) return { kind: 'text', text: r.pick(['', ' ', 'null', '{}', '[]', '"send"', '{"type":null}', '{"type":"ping","id":""}', '{"type":"ping","type":"send"}', '{"type":"ping"}']) };
    // Beyond the socket's own limits: the gateway's ws closes (1009 too big, 1007 invalid UTF-8).
    if (r.chance(0.5)) return { kind: 'text', text: this.padTo(this.validFrame(), this.maxFrameBytes + 1 + r.int(5000)) };
    return { kind: 'raw-text', data: Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) };
  }

  private brokenJson(text: string): string {
    const r = this.rng;
    switch (r.int(6)) {
      case 0:
        return text.slice(0, r.int(text.length));
      case 1:
        return `${text}${r.pick(['}', ',', ']', ' garbage', '{}'])}`;
      case 2: {
        const at = r.int(text.length);
        return `${text.slice(0, at)}${String.fromCharCode(r.int(128))}${text.slice(at + 1)}`;
      }
      case 3:
        return text.replace(/"/g, "'");
      case 4:
        return text.replace(/:/, ':: ');
      default:
        return `{"type":"send","id":"x",${'"a":1,'.repeat(r.int(10))}}`;
    }
  }

  /** The frame with a padding field (or an oversized body) taking it to `bytes` bytes. */
  private padTo(frame: { [key: string]: Json }, bytes: number): string {
    const key = this.rng.chance(0.5) && 'body' in frame ? 'body' : 'padding';
    const base = JSON.stringify({ ...frame, [key]: '' });
    return JSON.stringify({ ...frame, [key]: 'p'.repeat(Math.max(0, bytes - Buffer.byteLength(base))) });
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

/** Bodies for POST /auth/register, /auth/login and /auth/refresh: wrong types, hostile names, sizes, bad JSON. */
export function authRequestBody(rng: Prng, fuzzer: FrameFuzzer): { path: string; text: string; contentType: string } {
  const path = rng.pick(['/auth/register', '/auth/login', '/auth/refresh']);
  const contentType = rng.chance(0.9) ? 'application/json' : rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16']);
  const username = (): Json =>
    rng.chance(0.6) ? rng.pick([...SQL_STRINGS, ...UNICODE_STRINGS, ...PROTOTYPE_KEYS]) : rng.chance(0.5) ? `fz_${randomUUID().slice(0, 8)}` : fuzzer.hostileValue();
  const password = (): Json => (rng.chance(0.5) ? `${rng.pick(SQL_STRINGS)}-long-enough` : rng.chance(0.5) ? 'p'.repeat(rng.pick([9, 10, 256, 257, 16_000])) : fuzzer.hostileValue());
  const base: { [key: string]: Json } = path === '/auth/refresh' ? { refreshToken: rng.chance(0.5) ? `${randomUUID()}.${rng.pick(SQL_STRINGS)}` : fuzzer.hostileValue() } : { username: username(), password: password() };
  switch (rng.int(7)) {
    case 0:
      return { path, contentType, text: JSON.stringify(base) };
    case 1:
      return { path, contentType, text: JSON.stringify(fuzzer.mutate(base)) };
    case 2:
      // Written as text: in an object literal `__proto__` would set the prototype, not a key.
      return { path, contentType, text: JSON.stringify(base).replace(/^\{/, '{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}},') };
    case 3:
      return { path, contentType, text: JSON.stringify(base).slice(0, rng.int(30)) };
    case 4:
      // Around the 16 KiB body limit.
      return { path, contentType, text: JSON.stringify({ ...base, pad: 'x'.repeat(rng.pick([16_000, 16_300, 16_500, 40_000])) }) };
    case 5:
      return { path, contentType, text: `${'['.repeat(rng.pick([10, 100, 5000]))}${']'.repeat(10)}` };
    default:
      return { path, contentType, text: JSON.stringify(fuzzer.hostileValue()) };
  }
}
