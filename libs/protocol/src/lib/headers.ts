/** Kafka header names. Trace id and produce time travel in headers so tools can read them without decoding. */
export const Headers = {
  traceId: 'trace-id',
  producedAt: 'produced-at',
  recordType: 'record-type',
  /** Dead-letter records keep the original key, value and headers and add these. */
  dlqError: 'dlq-error',
  dlqSourceTopic: 'dlq-source-topic',
  dlqSourcePartition: 'dlq-source-partition',
  dlqSourceOffset: 'dlq-source-offset',
  dlqConsumerGroup: 'dlq-consumer-group',
  dlqAttempts: 'dlq-attempts',
  dlqFailedAt: 'dlq-failed-at',
  /** Set on a record `chatctl dlq replay` produced back: `<dlq topic>/<partition>/<offset>` it came from. */
  replayedFrom: 'replayed-from',
  /** When it was replayed (ISO 8601). */
  replayedAt: 'replayed-at',
} as const;

/** The headers a dead-letter topic adds to the original record; a replay leaves them out. */
export const DEAD_LETTER_HEADERS: readonly string[] = [
  Headers.dlqError,
  Headers.dlqSourceTopic,
  Headers.dlqSourcePartition,
  Headers.dlqSourceOffset,
  Headers.dlqConsumerGroup,
  Headers.dlqAttempts,
  Headers.dlqFailedAt,
];
