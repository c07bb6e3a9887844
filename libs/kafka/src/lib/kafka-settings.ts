import { CompressionTypes, Partitioners, type ConsumerConfig, type KafkaConfig, type ProducerConfig } from 'kafkajs';

/**
 * The kafkajs settings every service uses, in one place, so the load generator's raw-kafkajs
 * baseline measures exactly what the services run with and can never drift from them.
 */

/** Client settings next to the brokers and client id (which come from config). */
export const KAFKA_CLIENT_SETTINGS = {
  connectionTimeout: 3000,
  requestTimeout: 30000,
  retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10000 },
} as const satisfies Omit<KafkaConfig, 'brokers'>;

/** The producer: idempotent, one request in flight (order per key under retries), never giving up on a batch. */
export const KAFKA_PRODUCER_SETTINGS = {
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
  allowAutoTopicCreation: false,
  // Idempotence holds only if kafkajs never gives up on a batch; callers are bounded by sendTimeoutMs.
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
} as const satisfies ProducerConfig;

/** Each produce request: acknowledged by all in-sync replicas, uncompressed. */
export const KAFKA_PRODUCE_REQUEST_SETTINGS = { acks: -1, compression: CompressionTypes.None } as const;

/** Records per produce request; larger bursts go out in several requests, in order. */
export const MAX_RECORDS_PER_REQUEST = 2000;
/**
 * Key and value bytes per produce request. The broker refuses a partition's batch above
 * message.max.bytes (1 MiB by default), and a request's records may all share one partition; one
 * record (at most MAX_RECORD_BYTES, 512 KiB) always fits.
 */
export const MAX_BYTES_PER_REQUEST = 768 * 1024;

/** A consumer group member's settings (the group and session timeout vary per consumer). */
export function kafkaConsumerSettings(groupId: string, sessionTimeoutMs: number): ConsumerConfig {
  return {
    groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: 3000,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10000 },
  };
}
