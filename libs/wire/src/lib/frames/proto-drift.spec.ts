import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DescEnum, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { z } from 'zod';
import { ClientFrameSchema as ClientFrameMessage, ServerFrameSchema as ServerFrameMessage } from '../../gen/chat/v1/frames_pb';
import { MAX_FRAME_DEPTH } from '../limits';
import { ClientFrameSchemas } from './client-frames';
import { isListWrapper, zodOptionOf } from './proto-frames';
import { ServerFrameSchemas } from './server-frames';

/*
 * The .proto (libs/wire/proto/chat/v1/frames.proto) against the zod frames, which are the truth: the
 * same frame types, the same keys, compatible kinds. Adding a frame or a field to zod without the
 * .proto fails here with a line saying what is missing (see docs/protocol.md, "Codecs").
 */

/** What the spec reads of a zod schema's definition (zod 4 keeps it in `_zod.def`). */
interface ZodDef {
  type: string;
  innerType?: ZodLike;
  element?: ZodLike;
  shape?: Record<string, ZodLike>;
  entries?: Record<string, string>;
}
interface ZodLike {
  _zod: { def: ZodDef };
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean | null;
}

/** A proto field's value type, for singular fields and list items alike. */
type ProtoKind = { kind: 'scalar'; scalar: ScalarType } | { kind: 'enum'; desc: DescEnum } | { kind: 'message'; desc: DescMessage };

const EXPLICIT_PRESENCE = 1;
const INT_RANGES: ReadonlyMap<ScalarType, readonly [number, number]> = new Map([
  [ScalarType.INT32, [-(2 ** 31), 2 ** 31 - 1]],
  [ScalarType.SINT32, [-(2 ** 31), 2 ** 31 - 1]],
  [ScalarType.SFIXED32, [-(2 ** 31), 2 ** 31 - 1]],
  [ScalarType.UINT32, [0, 2 ** 32 - 1]],
  [ScalarType.FIXED32, [0, 2 ** 32 - 1]],
  [ScalarType.INT64, [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]],
  [ScalarType.SINT64, [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]],
  [ScalarType.SFIXED64, [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]],
  [ScalarType.UINT64, [0, Number.MAX_SAFE_INTEGER]],
  [ScalarType.FIXED64, [0, Number.MAX_SAFE_INTEGER]],
]);

const defOf = (schema: ZodLike): ZodDef => schema._zod.def;

function singularKind(field: DescField): ProtoKind | undefined {
  switch (field.fieldKind) {
    case 'scalar':
      return { kind: 'scalar', scalar: field.scalar };
    case 'enum':
      return { kind: 'enum', desc: field.enum };
    case 'message':
      return { kind: 'message', desc: field.message };
    default:
      return undefined;
  }
}

function itemKind(field: DescField): ProtoKind | undefined {
  if (field.fieldKind !== 'list') return undefined;
  if (field.listKind === 'scalar') return { kind: 'scalar', scalar: field.scalar };
  if (field.listKind === 'enum') return { kind: 'enum', desc: field.enum };
  return { kind: 'message', desc: field.message };
}

/** The differences between a zod value schema and a proto kind, at `at`. */
function compareValue(at: string, schema: ZodLike, proto: ProtoKind, drift: string[]): void {
  const def = defOf(schema);
  const expect = (ok: boolean, what: string) => {
    if (!ok) drift.push(`${at}: zod ${def.type} needs ${what}, the .proto has ${proto.kind === 'scalar' ? ScalarType[proto.scalar].toLowerCase() : `${proto.kind} ${proto.desc.typeName}`}`);
  };
  switch (def.type) {
    case 'string':
      return expect(proto.kind === 'scalar' && proto.scalar === ScalarType.STRING, 'string');
    case 'boolean':
      return expect(proto.kind === 'scalar' && proto.scalar === ScalarType.BOOL, 'bool');
    case 'number': {
      if (!schema.isInt) return expect(proto.kind === 'scalar' && proto.scalar === ScalarType.DOUBLE, 'double');
      const range = proto.kind === 'scalar' ? INT_RANGES.get(proto.scalar) : undefined;
      const [min, max] = [schema.minValue ?? Number.MIN_SAFE_INTEGER, schema.maxValue ?? Number.MAX_SAFE_INTEGER];
      return expect(range !== undefined && range[0] <= min && max <= range[1], `an integer type holding ${min}..${max}`);
    }
    case 'enum': {
      if (proto.kind !== 'enum') return expect(false, 'an enum');
      const zodOptions = Object.values(def.entries ?? {}).sort();
      const protoOptions = proto.desc.values.filter((value) => value.number !== 0).map(zodOptionOf).sort();
      if (proto.desc.values[0]?.number !== 0) drift.push(`${at}: ${proto.desc.typeName} needs a zero value *_UNSPECIFIED (read as absent)`);
      if (zodOptions.join() !== protoOptions.join()) drift.push(`${at}: zod options [${zodOptions.join(', ')}], ${proto.desc.typeName} has [${protoOptions.join(', ')}]`);
      return;
    }
    case 'object':
      if (proto.kind !== 'message' || isListWrapper(proto.desc)) return expect(false, 'a message');
      return compareObject(at, def.shape ?? {}, proto.desc, drift);
    default:
      drift.push(`${at}: zod ${def.type} has no Protobuf mapping (extend proto-frames.ts and this spec first)`);
  }
}

/** The differences between a zod key and the proto field of the same localName. */
function compareField(at: string, schema: ZodLike, field: DescField, drift: string[]): void {
  let inner = schema;
  let optional = false;
  while (defOf(inner).type === 'optional' || defOf(inner).type === 'default') {
    optional = true;
    inner = defOf(inner).innerType as ZodLike;
  }
  const def = defOf(inner);
  if (def.type === 'array') {
    const element = def.element as ZodLike;
    if (!optional) {
      const item = itemKind(field);
      if (!item) return void drift.push(`${at}: zod array needs a repeated field`);
      return compareValue(`${at}[]`, element, item, drift);
    }
    // proto3 cannot tell an absent repeated field from an empty one: an optional list is a wrapper message.
    if (field.fieldKind !== 'message' || !isListWrapper(field.message)) {
      return void drift.push(`${at}: optional zod array needs a list wrapper message (only \`repeated … values = 1\`)`);
    }
    const item = itemKind(field.message.fields[0]);
    if (item) compareValue(`${at}[]`, element, item, drift);
    return;
  }
  const kind = singularKind(field);
  if (!kind) return void drift.push(`${at}: zod ${def.type} needs a singular field, the .proto has a ${field.fieldKind}`);
  // Message fields always have presence; scalars and enums have it only when declared `optional`.
  if (field.fieldKind !== 'message' && optional !== (field.presence === EXPLICIT_PRESENCE)) {
    drift.push(optional ? `${at}: optional (or defaulted) in zod, needs \`optional\` in the .proto` : `${at}: required in zod, must not be \`optional\` in the .proto`);
  }
  compareValue(at, inner, kind, drift);
}

function compareObject(at: string, shape: Record<string, ZodLike>, desc: DescMessage, drift: string[], skip: readonly string[] = []): void {
  const fields = new Map(desc.fields.map((field) => [field.localName, field]));
  for (const [key, schema] of Object.entries(shape)) {
    if (skip.includes(key)) continue;
    const field = fields.get(key);
    if (!field) drift.push(`${at}.${key}: in zod, missing in ${desc.typeName}`);
    else if (field.jsonName !== key) drift.push(`${at}.${key}: ${desc.typeName}.${field.name} has the JSON name ${field.jsonName}`);
    else compareField(`${at}.${key}`, schema, field, drift);
  }
  for (const field of desc.fields) {
    if (!Object.hasOwn(shape, field.localName)) drift.push(`${at}.${field.localName}: ${desc.typeName}.${field.name} is not in zod`);
  }
}

/** Every disagreement between an envelope's oneof and the zod frames of that direction. */
function driftOf(envelope: DescMessage, schemas: Record<string, unknown>): string[] {
  const drift: string[] = [];
  const cases = new Map((envelope.oneofs[0]?.fields ?? []).map((field) => [field.name, field]));
  for (const [type, schema] of Object.entries(schemas)) {
    const field = cases.get(type);
    if (!field) {
      drift.push(`${envelope.typeName}: frame type "${type}" has no case in the oneof`);
      continue;
    }
    if (field.fieldKind !== 'message') {
      drift.push(`${envelope.typeName}.${type}: must be a message`);
      continue;
    }
    compareObject(type, defOf(schema as ZodLike).shape ?? {}, field.message, drift, ['type']);
  }
  for (const type of cases.keys()) if (!Object.hasOwn(schemas, type)) drift.push(`${envelope.typeName}.${type}: no zod frame of that type`);
  return drift;
}

/** How deep messages nest under `desc` (itself = 1); Infinity for a message that contains itself. */
function nesting(desc: DescMessage, seen: ReadonlySet<DescMessage> = new Set()): number {
  if (seen.has(desc)) return Infinity;
  const inside = desc.fields.map((field) => (field.message ? nesting(field.message, new Set([...seen, desc])) : 0));
  return 1 + Math.max(0, ...inside);
}

describe('frames.proto against the zod frames', () => {
  it.each([
    ['ClientFrame', ClientFrameMessage, ClientFrameSchemas],
    ['ServerFrame', ServerFrameMessage, ServerFrameSchemas],
  ] as const)('%s has a case for every frame type, with the same fields and compatible kinds', (_name, envelope, schemas) => {
    expect(driftOf(envelope, schemas)).toEqual([]);
  });

  it('nests no deeper than MAX_FRAME_DEPTH, so a depth limit of MAX_FRAME_DEPTH reads every valid frame', () => {
    expect(nesting(ClientFrameMessage)).toBeLessThanOrEqual(MAX_FRAME_DEPTH);
    expect(nesting(ServerFrameMessage)).toBeLessThanOrEqual(MAX_FRAME_DEPTH);
  });

  it('notices a zod field the .proto lacks, a kind that does not fit and a frame type without a case', () => {
    const baseline = new Set(driftOf(ServerFrameMessage, ServerFrameSchemas));
    const drift = driftOf(ServerFrameMessage, {
      ...ServerFrameSchemas,
      pong: z.strictObject({ type: z.literal('pong'), replyTo: z.number().int().optional(), extra: z.string() }),
      typing: z.strictObject({ type: z.literal('typing'), conversationId: z.uuid(), userId: z.uuid(), active: z.boolean().optional() }),
      teleport: ServerFrameSchemas.pong,
    });
    expect(drift.filter((line) => !baseline.has(line))).toEqual([
      'typing.active: optional (or defaulted) in zod, needs `optional` in the .proto',
      'pong.replyTo: zod number needs an integer type holding -9007199254740991..9007199254740991, the .proto has string',
      'pong.extra: in zod, missing in chat.v1.PongFrame',
      'chat.v1.ServerFrame: frame type "teleport" has no case in the oneof',
    ]);
  });
});

describe('the generated TypeScript (libs/wire/src/gen)', () => {
  const wireRoot = path.resolve(__dirname, '../../..');
  const bin = path.resolve(wireRoot, '../../node_modules/.bin');
  const buf = (...args: string[]) =>
    execFileSync(path.join(bin, 'buf'), args, { cwd: wireRoot, env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` }, encoding: 'utf8' });

  it('is what `npx nx run wire:proto` generates from the .proto now (run it after changing frames.proto)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'wire-proto-'));
    try {
      buf('generate', '--output', out);
      const generated = readdirSync(path.join(out, 'src/gen/chat/v1'));
      expect(readdirSync(path.join(wireRoot, 'src/gen/chat/v1'))).toEqual(generated);
      for (const file of generated) {
        expect(readFileSync(path.join(wireRoot, 'src/gen/chat/v1', file), 'utf8')).toBe(readFileSync(path.join(out, 'src/gen/chat/v1', file), 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('comes from a .proto that passes buf lint', () => {
    expect(buf('lint')).toBe('');
  });
});
