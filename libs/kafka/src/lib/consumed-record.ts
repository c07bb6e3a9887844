import type { IHeaders, KafkaMessage } from 'kafkajs';
import { Headers } from '@chat/protocol';
import { headersToStrings } from './kafka-producer';

/** A record as handlers see it: raw key and value, headers as strings, its position. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker timestamp (ms since epoch). */
  timestamp: number;
  traceId: string | undefined;
  /** The headers exactly as they arrived, so a dead letter keeps them byte for byte. */
  rawHeaders: IHeaders;
}

export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers = headersToStrings(message.headers);
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value,
    headers,
    timestamp: Number(message.timestamp),
    traceId: headers[Headers.traceId],
    rawHeaders: message.headers ?? {},
  };
}
