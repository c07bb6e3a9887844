import { z } from 'zod';
import { defineRecord, encodeEnvelope } from '@chat/protocol';
import { fitListInRecord } from './record-budget';

const ListRecord = defineRecord('test.list', 1, z.strictObject({ items: z.array(z.strictObject({ n: z.number(), text: z.string() })) }));

describe('fitListInRecord', () => {
  const items = Array.from({ length: 10 }, (_, index) => ({ n: index, text: `é${'x'.repeat(99)}` }));
  const build = (list: typeof items) => ListRecord.create({ items: list }, { id: '00000000-0000-4000-8000-000000000000', occurredAt: 1 });
  const bytesOf = (list: typeof items) => encodeEnvelope(build(list)).length;

  it('keeps everything when it fits', () => {
    expect(fitListInRecord(items, 'first', build)).toEqual({ items, trimmed: false });
  });

  it('keeps the first items that fit, exactly up to the limit', () => {
    const limit = bytesOf(items.slice(0, 4));
    const fitted = fitListInRecord(items, 'first', build, limit);
    expect(fitted).toEqual({ items: items.slice(0, 4), trimmed: true });
    expect(fitListInRecord(items, 'first', build, limit - 1).items).toHaveLength(3);
  });

  it('keeps the last items when asked to (the newest messages of a history page)', () => {
    const limit = bytesOf(items.slice(0, 3));
    expect(fitListInRecord(items, 'last', build, limit)).toEqual({ items: items.slice(7), trimmed: true });
  });

  it('returns nothing when not even one item fits', () => {
    expect(fitListInRecord(items, 'first', build, bytesOf([]) + 10)).toEqual({ items: [], trimmed: true });
  });
});
