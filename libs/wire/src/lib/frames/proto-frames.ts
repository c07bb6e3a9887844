import { create, type DescEnumValue, type DescField, type DescMessage, fromBinary, type Message, ScalarType, toBinary } from '@bufbuild/protobuf';
import { MAX_FRAME_DEPTH } from '../limits';
import { ProtocolError } from '../protocol-error';
import type { RequestIdOf } from './validate-frame';

/*
 * The generic bridge between a zod frame (`{type, …fields}`) and its Protobuf envelope
 * (libs/wire/proto/chat/v1/frames.proto: a `frame` oneof whose case names are the frame types).
 * Compiled once per message type from the descriptors protoc-gen-es generated, so no frame has an
 * encoder of its own: a zod key is the field's protobuf-es `localName` (its lowerCamelCase JSON
 * name), 64-bit integers become JavaScript numbers, enum values their zod option, and an unset
 * `optional` field (or enum zero) an absent key. The zod schema validates the result afterwards,
 * exactly as it validates parsed JSON.
 */

/** The zod option of a proto enum value: `RECEIPT_STATUS_READ` → `read` (protobuf-es drops the enum's prefix). */
export function zodOptionOf(value: DescEnumValue): string {
  return value.localName.toLowerCase();
}

const LONG_SCALARS: ReadonlySet<ScalarType> = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64]);

/** A field that no schema lists, found at `path`; turned into a ProtocolError where the frame is known. */
class UnknownField {
  readonly path: (string | number)[] = [];
  constructor(readonly fieldNumber: number) {}
}

type Convert = (value: unknown) => unknown;
const same: Convert = (value) => value;

interface FieldMapping {
  readonly key: string;
  readonly fromProto: Convert;
  readonly toProto: Convert;
}

/** How one message type maps to a zod object, compiled on first use. */
class MessageMapping {
  private static readonly compiled = new Map<DescMessage, MessageMapping>();
  private fields: FieldMapping[] = [];

  static of(desc: DescMessage): MessageMapping {
    let mapping = MessageMapping.compiled.get(desc);
    if (!mapping) {
      mapping = new MessageMapping();
      // Registered before its fields compile, so a message type that contains itself would still work.
      MessageMapping.compiled.set(desc, mapping);
      mapping.fields = desc.fields.map(fieldMapping);
    }
    return mapping;
  }

  /** Copies the message's fields into `into` (unset ones stay absent); throws UnknownField. */
  fromProto(message: Message, into: Record<string, unknown> = {}): Record<string, unknown> {
    const unknown = message.$unknown;
    if (unknown !== undefined && unknown.length > 0) throw new UnknownField(unknown[0].no);
    const fields = message as unknown as Record<string, unknown>;
    for (const field of this.fields) {
      const value = field.fromProto(fields[field.key]);
      if (value !== undefined) into[field.key] = value;
    }
    return into;
  }

  /** The init object of `create` for a zod object (its `type`, if any, is not a field and is skipped). */
  toProto(value: Record<string, unknown>): Record<string, unknown> {
    const init: Record<string, unknown> = {};
    for (const field of this.fields) {
      const fieldValue = value[field.key];
      if (fieldValue !== undefined) init[field.key] = field.toProto(fieldValue);
    }
    return init;
  }
}

function fieldMapping(field: DescField): FieldMapping {
  switch (field.fieldKind) {
    case 'scalar':
      return { key: field.localName, ...scalarConverters(field.scalar) };
    case 'enum':
      return { key: field.localName, ...enumConverters(field.enum.values) };
    case 'message': {
      if (isListWrapper(field.message)) return { key: field.localName, ...listWrapperConverters(field.localName, field.message.fields[0]) };
      const nested = messageConverters(field.localName, field.message);
      return { key: field.localName, fromProto: (value) => (value === undefined ? undefined : nested.fromProto(value)), toProto: nested.toProto };
    }
    case 'list':
      return { key: field.localName, ...listConverters(field.localName, field) };
    case 'map':
      throw new Error(`${field.parent.typeName}.${field.name}: map fields have no zod counterpart in the frames`);
  }
}

/**
 * A message with nothing but `repeated … values = 1` stands for an optional list: proto3 cannot tell
 * an absent repeated field from an empty one, and zod's `.array().optional()` does.
 */
export function isListWrapper(desc: DescMessage): boolean {
  return desc.fields.length === 1 && desc.fields[0].fieldKind === 'list' && desc.fields[0].name === 'values';
}

function listWrapperConverters(key: string, values: DescField): { fromProto: Convert; toProto: Convert } {
  if (values.fieldKind !== 'list') throw new Error(`${values.parent.typeName}: not a list wrapper`);
  const list = listConverters(key, values);
  return {
    fromProto: (wrapper) => {
      if (wrapper === undefined) return undefined;
      const { values, $unknown } = wrapper as Message & { values: unknown[] };
      if ($unknown !== undefined && $unknown.length > 0) {
        const unknown = new UnknownField($unknown[0].no);
        unknown.path.push(key);
        throw unknown;
      }
      return list.fromProto(values);
    },
    toProto: (value) => ({ values: list.toProto(value) }),
  };
}

function listConverters(key: string, field: DescField & { fieldKind: 'list' }): { fromProto: Convert; toProto: Convert } {
  const item =
    field.listKind === 'scalar'
      ? scalarConverters(field.scalar)
      : field.listKind === 'enum'
        ? enumConverters(field.enum.values)
        : messageConverters(key, field.message);
  // Lists of strings and 32-bit numbers are handed over as they are: zod copies them anyway.
  if (item.fromProto === same && item.toProto === same) return { fromProto: same, toProto: same };
  return {
    fromProto: (value) => (value as unknown[]).map((entry, index) => withIndex(index, () => item.fromProto(entry))),
    toProto: (value) => (value as unknown[]).map(item.toProto),
  };
}

function scalarConverters(scalar: ScalarType): { fromProto: Convert; toProto: Convert } {
  // protobuf-es reads 64-bit integers as bigint; its writer takes numbers as they are. A value beyond
  // 2^53 becomes an imprecise number, which the zod integer check then refuses.
  return LONG_SCALARS.has(scalar) ? { fromProto: (value) => (value === undefined ? undefined : Number(value)), toProto: same } : { fromProto: same, toProto: same };
}

function enumConverters(values: readonly DescEnumValue[]): { fromProto: Convert; toProto: Convert } {
  const optionOf = new Map(values.filter((value) => value.number !== 0).map((value) => [value.number, zodOptionOf(value)]));
  const numberOf = new Map([...optionOf].map(([number, option]) => [option, number]));
  return {
    // Zero (`*_UNSPECIFIED`) is "absent"; a number this schema does not know is left for zod to refuse.
    fromProto: (value) => (value === 0 ? undefined : (optionOf.get(value as number) ?? value)),
    toProto: (value) => {
      const number = numberOf.get(value as string);
      if (number === undefined) throw new Error(`no enum value for ${JSON.stringify(value)}`);
      return number;
    },
  };
}

function messageConverters(key: string, desc: DescMessage): { fromProto: Convert; toProto: Convert } {
  const mapping = MessageMapping.of(desc);
  return {
    fromProto: (value) => {
      try {
        return mapping.fromProto(value as Message);
      } catch (error) {
        if (error instanceof UnknownField) error.path.unshift(key);
        throw error;
      }
    },
    toProto: (value) => mapping.toProto(value as Record<string, unknown>),
  };
}

function withIndex<T>(index: number, read: () => T): T {
  try {
    return read();
  } catch (error) {
    // The list's own key is added by its message converter: `conversations.3`.
    if (error instanceof UnknownField) error.path.splice(1, 0, index);
    throw error;
  }
}

/**
 * One envelope (ClientFrame or ServerFrame): zod frames to bytes and back. Decoding refuses bytes
 * that are not the envelope, nest deeper than MAX_FRAME_DEPTH, name no frame, or carry a field the
 * .proto does not list (an unknown oneof case is an unknown frame type), like JSON refuses unknown
 * keys; it returns `{type, …}` for validateFrame.
 */
export class ProtoFrames {
  private readonly oneofKey: string;
  private readonly byType = new Map<string, { caseName: string; mapping: MessageMapping }>();
  private readonly byCase = new Map<string, { type: string; mapping: MessageMapping }>();

  constructor(private readonly envelope: DescMessage) {
    const [oneof, ...others] = envelope.oneofs;
    if (!oneof || others.length > 0 || envelope.fields.some((field) => field.oneof !== oneof)) {
      throw new Error(`${envelope.typeName}: expected a message with one oneof and nothing else`);
    }
    this.oneofKey = oneof.localName;
    for (const field of oneof.fields) {
      if (field.fieldKind !== 'message') throw new Error(`${envelope.typeName}.${field.name}: a frame must be a message`);
      const mapping = MessageMapping.of(field.message);
      this.byType.set(field.name, { caseName: field.localName, mapping });
      this.byCase.set(field.localName, { type: field.name, mapping });
    }
  }

  /** Serialises a frame that its zod schema accepted. */
  encode(frame: { type: string }): Uint8Array {
    const frameCase = this.byType.get(frame.type);
    if (!frameCase) throw new Error(`${this.envelope.typeName} has no case for frame type ${JSON.stringify(frame.type)}`);
    const value = frameCase.mapping.toProto(frame as unknown as Record<string, unknown>);
    return toBinary(this.envelope, create(this.envelope, { [this.oneofKey]: { case: frameCase.caseName, value } }));
  }

  /** Reads bytes (already checked against the size limit) as `{type, …}`; throws ProtocolError. */
  decode(bytes: Uint8Array, requestIdOf: RequestIdOf): Record<string, unknown> {
    let message: Message;
    try {
      message = fromBinary(this.envelope, bytes, { recursionLimit: MAX_FRAME_DEPTH });
    } catch (error) {
      // protobuf-es says "maximum recursion depth" for messages and for unknown groups nested too deep.
      if (error instanceof Error && /recursion depth/.test(error.message)) throw new ProtocolError('too_large', `input nests deeper than ${MAX_FRAME_DEPTH} levels`);
      throw new ProtocolError('invalid_encoding', `frame: not a Protobuf ${this.envelope.typeName}`);
    }
    const selected = (message as unknown as Record<string, { case: string | undefined; value?: Message }>)[this.oneofKey];
    const frameCase = selected.case === undefined ? undefined : this.byCase.get(selected.case);
    if (!frameCase || !selected.value) {
      const unknown = message.$unknown?.[0];
      if (unknown) throw new ProtocolError('unknown_type', `type: unknown frame type (field number ${unknown.no})`, 'type');
      throw new ProtocolError('invalid_field', 'type: expected a frame, received nothing', 'type');
    }
    const frame = selected.value;
    try {
      if (message.$unknown !== undefined && message.$unknown.length > 0) throw new UnknownField(message.$unknown[0].no);
      return frameCase.mapping.fromProto(frame, { type: frameCase.type });
    } catch (error) {
      if (!(error instanceof UnknownField)) throw error;
      const path = error.path.join('.');
      const message = `${path || 'frame'}: Unrecognized field (number ${error.fieldNumber})`;
      throw new ProtocolError('invalid_field', message, path || undefined, requestIdOf(frame as unknown as Record<string, unknown>));
    }
  }
}
