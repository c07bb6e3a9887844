import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { thrownBy } from '@chat/testing';
import { ProtocolError } from '@chat/wire';
import { decodeEnvelope, defineRecord, encodeEnvelope, type Envelope, MAX_RECORD_BYTES } from './envelope';
import { defineRecordSet } from './record-set';

const Pinged = defineRecord('test.pinged', 2, z.strictObject({ n: z.number().int().min(1) }));
const Ponged = defineRecord('test.ponged', 1, z.strictObject({ text: z.string() }));

const rejection = (run: () => unknown): ProtocolError => thrownBy(run, ProtocolError);

describe('envelopes', () => {
  // Tests that look at times fake the clock, so every Date.now() returns this instant.
  const NOW = 1_700_000_000_000;
  afterEach(() => jest.useRealTimers());

  it('creates an envelope with ids, times and the validated payload', () => {
    jest.useFakeTimers({ now: NOW });
    const envelope = Pinged.create({ n: 3 });
    expect(envelope).toMatchObject({ type: 'test.pinged', v: 2, payload: { n: 3 } });
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(envelope.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(envelope.producedAt).toBe(NOW);
    expect(envelope.occurredAt).toBe(NOW);
  });

  it('keeps the context it is given', () => {
    const id = randomUUID();
    const envelope = Pinged.create({ n: 1 }, { id, traceId: 'a'.repeat(32), occurredAt: 5 });
    expect(envelope).toMatchObject({ id, traceId: 'a'.repeat(32), occurredAt: 5 });
  });

  it('refuses to create an invalid payload, naming the field', () => {
    expect(rejection(() => Pinged.create({ n: 0 })).field).toBe('payload.n');
  });

  it('creates an envelope from an already validated payload alike, without checking it again', () => {
    // A frozen clock: both calls see the same Date.now(), so the whole envelopes must be equal.
    jest.useFakeTimers({ now: NOW });
    const id = randomUUID();
    const context = { id, traceId: 'a'.repeat(32), occurredAt: 5 };
    const validated = Pinged.createValidated({ n: 1 }, context);
    const checked = Pinged.create({ n: 1 }, context);
    expect(validated).toEqual(checked);
    expect(validated).toEqual({ type: 'test.pinged', v: 2, id, traceId: 'a'.repeat(32), occurredAt: 5, producedAt: NOW, payload: { n: 1 } });
    expect(Pinged.decode(encodeEnvelope(Pinged.createValidated({ n: 2 })))).toMatchObject({ payload: { n: 2 } });
  });

  it('round-trips through bytes', () => {
    const envelope = Pinged.create({ n: 9 });
    expect(Pinged.decode(encodeEnvelope(envelope))).toEqual(envelope);
    expect(decodeEnvelope(encodeEnvelope(envelope).toString())).toEqual(envelope);
  });

  it('rejects tombstones, oversize values, bad JSON and bad envelopes', () => {
    expect(rejection(() => decodeEnvelope(null)).field).toBe('value');
    expect(rejection(() => decodeEnvelope(Buffer.alloc(MAX_RECORD_BYTES + 1, 0x20))).code).toBe('too_large');
    expect(rejection(() => decodeEnvelope('{')).code).toBe('invalid_json');
    const noTrace: Record<string, unknown> = { ...Pinged.create({ n: 1 }) };
    delete noTrace['traceId'];
    expect(rejection(() => decodeEnvelope(JSON.stringify(noTrace))).field).toBe('traceId');
    expect(rejection(() => decodeEnvelope(JSON.stringify({ ...Pinged.create({ n: 1 }), extra: 1 }))).field).toBe('extra');
  });

  it('parse rejects another type', () => {
    const error = rejection(() => Pinged.parse(Ponged.create({ text: 'x' })));
    expect(error.code).toBe('unknown_type');
    expect(error.field).toBe('type');
  });

  it('parse rejects a newer version but accepts older ones', () => {
    const envelope = Pinged.create({ n: 1 });
    const newer = rejection(() => Pinged.parse({ ...envelope, v: 3 }));
    expect(newer.field).toBe('v');
    expect(newer.message).toMatch(/newer/);
    expect(Pinged.parse({ ...envelope, v: 1 }).payload).toEqual({ n: 1 });
  });

  it('parse validates the payload', () => {
    const bad: Envelope = { ...Pinged.create({ n: 1 }), payload: { n: 'one' } };
    expect(rejection(() => Pinged.parse(bad)).field).toBe('payload.n');
  });
});

describe('record sets', () => {
  const Records = defineRecordSet([Pinged, Ponged]);

  it('parses each member type and narrows by type', () => {
    const decoded = Records.decode(encodeEnvelope(Ponged.create({ text: 'hi' })));
    switch (decoded.type) {
      case 'test.ponged':
        expect(decoded.payload.text).toBe('hi');
        break;
      case 'test.pinged':
        throw new Error('wrong type');
    }
    expect(Records.parse(Pinged.create({ n: 2 })).payload).toEqual({ n: 2 });
  });

  it('rejects a type outside the set', () => {
    const Other = defineRecord('test.other', 1, z.strictObject({}));
    expect(rejection(() => Records.parse(Other.create({}))).code).toBe('unknown_type');
    expect(Records.has('test.other')).toBe(false);
  });

  it('refuses the same type twice', () => {
    expect(() => defineRecordSet([Pinged, Pinged])).toThrow(/twice/);
  });
});
