import type { z } from 'zod';
import { ProtocolError } from '@chat/wire';
import { decodeEnvelope, type Envelope, type RecordType } from './envelope';

type AnyRecordType = RecordType<string, z.ZodType>;

/** The envelope a record type produces, with its literal `type` and parsed payload. */
export type EnvelopeOf<R> = R extends RecordType<infer TType, infer TSchema> ? Envelope<TType, z.output<TSchema>> : never;

/**
 * The record types that may appear on one topic. `parse` picks the type by the envelope's `type`
 * and returns a union that a `switch (envelope.type)` narrows, so a consumer handles every type of
 * its topic with full payload types and the compiler notices a new one.
 */
export class RecordSet<const TTypes extends readonly AnyRecordType[]> {
  private readonly byType: Map<string, AnyRecordType>;

  constructor(readonly types: TTypes) {
    this.byType = new Map(types.map((type) => [type.type, type]));
    if (this.byType.size !== types.length) throw new Error('RecordSet: a record type is listed twice');
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  /** Validates a decoded envelope against its type; ProtocolError `unknown_type` if not in this set. */
  parse(envelope: Envelope): EnvelopeOf<TTypes[number]> {
    const recordType = this.byType.get(envelope.type);
    if (!recordType) {
      throw new ProtocolError('unknown_type', `type: "${envelope.type}" is not one of ${[...this.byType.keys()].join(', ')}`, 'type');
    }
    return recordType.parse(envelope) as EnvelopeOf<TTypes[number]>;
  }

  decode(value: Buffer | string | null): EnvelopeOf<TTypes[number]> {
    return this.parse(decodeEnvelope(value));
  }
}

export function defineRecordSet<const TTypes extends readonly AnyRecordType[]>(types: TTypes): RecordSet<TTypes> {
  return new RecordSet(types);
}
