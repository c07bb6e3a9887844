import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseJson, ProtocolError } from '@chat/wire';
import { newTraceId, TRACE_ID_PATTERN } from './trace';

/** Upper bound on one Kafka record value; the broker's own default limit is about 1 MiB. */
export const MAX_RECORD_BYTES = 512 * 1024;

const envelopeSchema = z.strictObject({
  id: z.uuid(),
  type: z.string().min(1).max(100),
  v: z.number().int().positive(),
  traceId: z.string().regex(TRACE_ID_PATTERN, 'must be 32 lowercase hex characters'),
  /** When the event happened at the edge (ms since epoch): the start of end-to-end latency. */
  occurredAt: z.number().int().nonnegative(),
  /** When this record was produced (ms since epoch). */
  producedAt: z.number().int().nonnegative(),
  payload: z.unknown(),
});

export interface Envelope<TType extends string = string, TPayload = unknown> {
  id: string;
  type: TType;
  v: number;
  traceId: string;
  occurredAt: number;
  producedAt: number;
  payload: TPayload;
}

export interface EnvelopeContext {
  traceId?: string;
  occurredAt?: number;
  /** Reuse an id to make a re-publication of the same event recognisable downstream. */
  id?: string;
}

/**
 * One kind of Kafka record: its type name, schema version and payload schema. Every record on
 * every topic is made and read through one of these, so producer and consumer agree by construction.
 */
export class RecordType<TType extends string, TSchema extends z.ZodType> {
  constructor(
    readonly type: TType,
    readonly version: number,
    readonly payloadSchema: TSchema,
  ) {}

  create(payload: z.input<TSchema>, context: EnvelopeContext = {}): Envelope<TType, z.output<TSchema>> {
    const parsed = this.payloadSchema.safeParse(payload);
    if (!parsed.success) throw ProtocolError.fromZod(parsed.error, 'payload');
    return this.createValidated(parsed.data, context);
  }

  /**
   * Like `create`, for a payload assembled only from data this process has already validated (a
   * decoded record, a frame checked at the edge, rows it stored itself): its type proves the shape,
   * so the schema is not run a second time on a hot path (a 1,000-member fan-out would otherwise
   * check every user id again). Anything else goes through `create`.
   */
  createValidated(payload: z.output<TSchema>, context: EnvelopeContext = {}): Envelope<TType, z.output<TSchema>> {
    const now = Date.now();
    return {
      id: context.id ?? randomUUID(),
      type: this.type,
      v: this.version,
      traceId: context.traceId ?? newTraceId(),
      occurredAt: context.occurredAt ?? now,
      producedAt: now,
      payload,
    };
  }

  /** Narrows an envelope already decoded by `decodeEnvelope` to this record type. */
  is(envelope: Envelope): envelope is Envelope<TType, z.output<TSchema>> {
    return envelope.type === this.type;
  }

  /** Validates the payload of a generic envelope against this type's schema. */
  parse(envelope: Envelope): Envelope<TType, z.output<TSchema>> {
    if (envelope.type !== this.type) {
      throw new ProtocolError('unknown_type', `type: expected "${this.type}", got "${envelope.type}"`, 'type');
    }
    if (envelope.v > this.version) {
      throw new ProtocolError('invalid_field', `v: version ${envelope.v} of "${this.type}" is newer than supported ${this.version}`, 'v');
    }
    const parsed = this.payloadSchema.safeParse(envelope.payload);
    if (!parsed.success) throw ProtocolError.fromZod(parsed.error, 'payload');
    return { ...envelope, type: this.type, payload: parsed.data };
  }

  decode(value: Buffer | string | null): Envelope<TType, z.output<TSchema>> {
    return this.parse(decodeEnvelope(value));
  }
}

export function defineRecord<TType extends string, TSchema extends z.ZodType>(
  type: TType,
  version: number,
  payloadSchema: TSchema,
): RecordType<TType, TSchema> {
  return new RecordType(type, version, payloadSchema);
}

export function encodeEnvelope(envelope: Envelope): Buffer {
  return Buffer.from(JSON.stringify(envelope));
}

/** Decodes the envelope of any record; the payload stays unknown until a RecordType parses it. */
export function decodeEnvelope(value: Buffer | string | null): Envelope {
  if (value === null) throw new ProtocolError('invalid_field', 'value: record has no value (tombstone)', 'value');
  const parsed = envelopeSchema.safeParse(parseJson(value, MAX_RECORD_BYTES));
  if (!parsed.success) throw ProtocolError.fromZod(parsed.error);
  return parsed.data as Envelope;
}
