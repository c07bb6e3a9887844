import type { TopicSpec } from '@chat/protocol';

export interface KafkaModuleOptions {
  clientId: string;
  brokers: string[];
  /** Topics this service produces to or consumes from; created at start when missing. */
  topics: TopicSpec[];
  /** 1 for a single local broker, 3 in production. */
  replicationFactor: number;
  /** How long the producer may take to get a record acknowledged before `send` fails. */
  sendTimeoutMs?: number;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
