import { MAX_RECORD_BYTES, type Envelope } from '@chat/protocol';
import { recordBytes } from './effects';

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
    // Each item adds its JSON, and every one after the first a separating comma.
    const size = Buffer.byteLength(JSON.stringify(item)) + (count > 0 ? 1 : 0);
    if (size > remaining) break;
    remaining -= size;
    count += 1;
  }
  const kept = keep === 'first' ? items.slice(0, count) : items.slice(items.length - count);
  return { items: kept, trimmed: count < items.length };
}
