import { z } from 'zod';
import { brokerList, envInt, kafkaSecurityVariables, loadConfig } from '@chat/service-kit';

/**
 * What chatctl reads from its environment, validated the way the services validate theirs (the same
 * broker list and integer rules of libs/service-kit), before anything connects.
 */
export const chatctlEnvSchema = z.object({
  KAFKA_BROKERS: brokerList,
  /** TLS and SASL as for the services (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*); an operator logs in as `admin`. */
  ...kafkaSecurityVariables,
  /** For the topics chatctl creates when missing (its bookkeeping topic): 1 locally, 3 in production. */
  KAFKA_REPLICATION_FACTOR: envInt({ min: 1, max: 7, default: 1 }),
});

export interface ChatctlConfig extends z.output<typeof chatctlEnvSchema> {
  /** How long one command may wait for Kafka and for answers (`--timeout`). */
  timeoutMs: number;
}

/** Validates the environment; throws ConfigError naming every bad variable. */
export function loadChatctlConfig(env: NodeJS.ProcessEnv, timeoutMs: number): ChatctlConfig {
  return { ...loadConfig(chatctlEnvSchema, env), timeoutMs };
}
