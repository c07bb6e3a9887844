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
} as const;
