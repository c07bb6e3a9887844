import { telemetry } from '@chat/telemetry';

/**
 * The Kafka figures of every service, in the process-wide telemetry. `group` is the consumer group,
 * `topic` the record's topic (for dead letters: the topic the record came from).
 */
export const KafkaMetrics = {
  produced: telemetry.counter('kafka_produced_records_total', 'Records acknowledged by Kafka (all in-sync replicas), by topic', ['topic']),
  produceFailures: telemetry.counter('kafka_produce_failures_total', 'Records whose send() failed or timed out (they may still land), by topic', ['topic']),
  produceDuration: telemetry.latency('kafka_produce_duration_seconds', 'Time from send() to the acknowledgement of its records (queueing included), by topic', ['topic']),
  consumed: telemetry.counter('kafka_consumed_records_total', 'Records a consumer finished (handled or dead-lettered), by group and topic', ['group', 'topic']),
  handlerDuration: telemetry.latency('kafka_handler_duration_seconds', 'Duration of one handler call (one record, or one batch for batch handlers), by group and topic', ['group', 'topic']),
  handlerFailures: telemetry.counter('kafka_handler_failures_total', 'Failed handler calls, by group, topic and kind (transient, permanent, protocol, other)', ['group', 'topic', 'kind']),
  retries: telemetry.counter('kafka_handler_retries_total', 'Handler retries after a backoff, by group and topic', ['group', 'topic']),
  deadLetters: telemetry.counter('kafka_dead_letters_total', 'Records sent to <topic>.dlq, by source topic', ['topic']),
  lag: telemetry.gauge('kafka_consumer_lag', 'Records after the last one this consumer finished, per partition it holds (from the last fetch high watermark)', ['group', 'topic', 'partition']),
};

export type FailureKind = 'transient' | 'permanent' | 'protocol' | 'other';
