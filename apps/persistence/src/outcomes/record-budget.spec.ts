import { z } from 'zod';
import { defineRecord, encodeEnvelope } from '@chat/protocol';
import { fitListInRecord, packListIntoRecords } from './record-budget';

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

describe('packListIntoRecords', () => {
  const items = Array.from({ length: 10 }, (_, index) => ({ n: index, text: `é${'x'.repeat(99)}` }));
  const build = (list: typeof items) => ListRecord.create({ items: list }, { id: '00000000-0000-4000-8000-000000000000', occurredAt: 1 });
  const bytesOf = (list: typeof items) => encodeEnvelope(build(list)).length;

  it('puts everything into one record when it fits, and nothing into none', () => {
    expect(packListIntoRecords(items, build)).toEqual([items]);
    expect(packListIntoRecords([], build)).toEqual([]);
  });

  it('fills each record exactly up to the limit, keeping the order', () => {
    const limit = bytesOf(items.slice(0, 4));
    const runs = packListIntoRecords(items, build, limit);
    expect(runs).toEqual([items.slice(0, 4), items.slice(4, 8), items.slice(8)]);
    for (const run of runs) expect(bytesOf(run)).toBeLessThanOrEqual(limit);
    expect(packListIntoRecords(items, build, limit - 1).map((run) => run.length)).toEqual([3, 3, 3, 1]);
  });

  it('gives an item too big for any record a run of its own, for the caller to refuse', () => {
    const big = { n: 99, text: 'y'.repeat(1000) };
    const runs = packListIntoRecords([items[0], big, items[1]], build, bytesOf(items.slice(0, 3)));
    expect(runs).toEqual([[items[0]], [big], [items[1]]]);
  });
});
