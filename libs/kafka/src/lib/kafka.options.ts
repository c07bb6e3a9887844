import type { TopicSpec } from '@chat/protocol';
import type { KafkaSecurity } from './kafka-security';

export interface KafkaModuleOptions {
  clientId: string;
  brokers: string[];
  /** TLS and SASL of the connection (kafkaSecurityFromEnv); default plaintext. */
  security?: KafkaSecurity;
  /** Topics this service produces to or consumes from; created at start when missing. */
  topics: TopicSpec[];
  /** Copies of each topic created; 'auto': min(3, brokers). 3 in production. */
  replicationFactor: number | 'auto';
  /** Copies in sync before acks=all succeeds; default ('auto'): replicationFactor - 1, at least 1. */
  minInsyncReplicas?: number | 'auto';
  /** How long the producer may take to get a record acknowledged before `send` fails. */
  sendTimeoutMs?: number;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
