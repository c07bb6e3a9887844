import { encodeEnvelope, MAX_RECORD_BYTES, type Envelope } from '@chat/protocol';

/** The size of a record's value; nothing may exceed MAX_RECORD_BYTES. */
export function recordBytes(envelope: Envelope): number {
  return encodeEnvelope(envelope).length;
}

/** An item's share of a record: its JSON, plus the comma that separates it from the one before. */
function itemBytes(item: unknown, first: boolean): number {
  return Buffer.byteLength(JSON.stringify(item)) + (first ? 0 : 1);
}

export interface FittedList<T> {
  items: T[];
  /** True when items had to be left out to stay within one record. */
  trimmed: boolean;
}

/**
 * The longest run of `items` (kept from the first or the last one) whose record, as built by
 * `build`, fits into MAX_RECORD_BYTES. For answers that may grow beyond a Kafka record (a history
 * page of long messages, a list of big groups): the frame carries fewer items and says so.
 */
export function fitListInRecord<T>(items: readonly T[], keep: 'first' | 'last', build: (items: T[]) => Envelope, maxBytes = MAX_RECORD_BYTES): FittedList<T> {
  let remaining = maxBytes - recordBytes(build([]));
  const ordered = keep === 'first' ? items : [...items].reverse();
  let count = 0;
  for (const item of ordered) {
    const size = itemBytes(item, count === 0);
    if (size > remaining) break;
    remaining -= size;
    count += 1;
  }
  const kept = keep === 'first' ? items.slice(0, count) : items.slice(items.length - count);
  return { items: kept, trimmed: count < items.length };
}

/**
 * `items` split, in order, into as few runs as possible whose records (as built by `build`) each fit
 * into `maxBytes`: for answers of many frames (a sync), which go out as a few records instead of one
 * per frame. `build` must give records that differ only in their list. An item too big for a record
 * of its own gets a run of its own (the caller's size check then refuses it).
 */
export function packListIntoRecords<T>(items: readonly T[], build: (items: T[]) => Envelope, maxBytes = MAX_RECORD_BYTES): T[][] {
  const [first] = items;
  if (first === undefined) return [];
  // What a record costs besides its items, measured once on a record of the first item.
  const overhead = recordBytes(build([first])) - itemBytes(first, true);
  const runs: T[][] = [];
  let run: T[] = [];
  let bytes = overhead;
  for (const item of items) {
    const size = itemBytes(item, run.length === 0);
    if (run.length > 0 && bytes + size > maxBytes) {
      runs.push(run);
      run = [];
      bytes = overhead + itemBytes(item, true);
    } else {
      bytes += size;
    }
    run.push(item);
  }
  runs.push(run);
  return runs;
}
