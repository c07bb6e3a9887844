import { encodeEnvelope, type Envelope } from '@chat/protocol';
import type { ConsumedRecord } from '../src/lib/consumed-record';

let nextOffset = 0;

/**
 * A record as a consumer hands it over; `envelope: null` is a tombstone. Offsets rise across calls,
 * so records made in order are consumed in order.
 */
export function consumedRecord(topic: string, key: string | null, envelope: Envelope | null, partition = 0): ConsumedRecord {
  return {
    topic,
    partition,
    offset: String(nextOffset++),
    key,
    value: envelope === null ? null : encodeEnvelope(envelope),
    headers: {},
    timestamp: Date.now(),
    traceId: envelope?.traceId,
    rawHeaders: {},
  };
}
