import type { IHeaders } from 'kafkajs';
import { DEAD_LETTER_HEADERS, deadLetterTopicOf, DELIVERY_TOPIC_PREFIX, DLQ_SUFFIX, DlqReplayed, dlqReplayKey, Headers, isSharedDeadLetterTopic, type DlqReplayedPayload } from '@chat/protocol';
import type { ConsumedRecord } from '@chat/kafka';

/** A dead letter as chatctl shows it: where it sits, what it was, why it failed. */
export interface DeadLetterSummary {
  deadLetterTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** When it was dead-lettered (the DLQ record's timestamp), ISO 8601. */
  time: string;
  /** The original record's type (header `record-type`), if it had one. */
  recordType: string | null;
  /** Where it was read from when it failed. */
  source: { topic: string | null; partition: number | null; offset: string | null };
  consumerGroup: string | null;
  attempts: number | null;
  error: string | null;
  /** The last replay of it, if any. */
  replayed: DlqReplayedPayload | null;
}

/** Where the dead letters of `sourceTopic` are: `<topic>.dlq`, or the shared `chat.deliveries.dlq` of every delivery topic. */
export function dlqTopicOf(sourceTopic: string): string {
  return deadLetterTopicOf(sourceTopic).name;
}

/** The source topic(s) of a dead-letter topic, for people: `chat.delivery.<gatewayId>` for the shared one. */
export function sourceTopicOf(deadLetterTopic: string): string {
  if (isSharedDeadLetterTopic(deadLetterTopic)) return `${DELIVERY_TOPIC_PREFIX}<gatewayId>`;
  return deadLetterTopic.endsWith(DLQ_SUFFIX) ? deadLetterTopic.slice(0, -DLQ_SUFFIX.length) : deadLetterTopic;
}

/**
 * Whether a dead letter belongs to `sourceTopic`: every record of `<source>.dlq` does; one of a shared
 * dead-letter topic only when its `dlq-source-topic` header names that topic (what replay produces to).
 */
export function isDeadLetterOf(record: Pick<ConsumedRecord, 'topic' | 'headers'>, sourceTopic: string): boolean {
  return !isSharedDeadLetterTopic(record.topic) || record.headers[Headers.dlqSourceTopic] === sourceTopic;
}

export function summarize(record: ConsumedRecord, ledger: ReadonlyMap<string, DlqReplayedPayload>): DeadLetterSummary {
  const header = (name: string): string | null => record.headers[name] ?? null;
  const partition = header(Headers.dlqSourcePartition);
  const attempts = header(Headers.dlqAttempts);
  return {
    deadLetterTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    time: new Date(record.timestamp).toISOString(),
    recordType: header(Headers.recordType),
    source: { topic: header(Headers.dlqSourceTopic), partition: partition === null ? null : Number(partition), offset: header(Headers.dlqSourceOffset) },
    consumerGroup: header(Headers.dlqConsumerGroup),
    attempts: attempts === null ? null : Number(attempts),
    error: header(Headers.dlqError),
    replayed: ledger.get(dlqReplayKey(record.topic, record.partition, record.offset)) ?? null,
  };
}

/**
 * The headers a replayed record carries: the original record's, byte for byte (the dead letter kept
 * them), without the `dlq-*` headers the dead-letter topic added, plus `replayed-from` (the dead
 * letter's position) and `replayed-at`. A record replayed before carries the newer position.
 */
export function replayHeaders(raw: IHeaders, deadLetterTopic: string, partition: number, offset: string, now: Date): IHeaders {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || DEAD_LETTER_HEADERS.includes(name) || name === Headers.replayedFrom || name === Headers.replayedAt) continue;
    headers[name] = value;
  }
  headers[Headers.replayedFrom] = dlqReplayKey(deadLetterTopic, partition, offset);
  headers[Headers.replayedAt] = now.toISOString();
  return headers;
}

/** The value for people: pretty JSON when it is JSON, else UTF-8 text, else base64. */
export function showValue(value: Buffer | null): { encoding: 'json' | 'text' | 'base64' | 'null'; text: string; json?: unknown } {
  if (value === null) return { encoding: 'null', text: '(no value: a tombstone)' };
  const text = value.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(value)) return { encoding: 'base64', text: value.toString('base64') };
  try {
    const json: unknown = JSON.parse(text);
    return { encoding: 'json', text: JSON.stringify(json, null, 2), json };
  } catch {
    return { encoding: 'text', text };
  }
}

/** Reads `ops.dlq-replays` records into the ledger; anything unreadable there is left out, not fatal. */
export function ledgerEntry(record: ConsumedRecord): DlqReplayedPayload | null {
  if (record.value === null) return null;
  try {
    return DlqReplayed.decode(record.value).payload;
  } catch {
    return null;
  }
}
