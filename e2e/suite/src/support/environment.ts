import type { LocalKafkaSecurity, LocalKafkaUser } from '@chat/local-infra';
import { clientSecurity, clientSecurityEnv } from '@chat/local-infra';
import type { KafkaSecurity } from '@chat/kafka';

/** What global setup started, as the tests see it. */
export const e2e = {
  get kafkaBrokers(): string {
    return required('E2E_KAFKA_BROKERS');
  },
  get workspaceRoot(): string {
    return required('E2E_WORKSPACE_ROOT');
  },
  get tempDir(): string {
    return required('E2E_TEMP_DIR');
  },
  /** One access-token key pair per run: auth signs with the private key, the gateways verify with the public JWKS. */
  get jwtKeys(): { keyId: string; privateKeyPem: string; publicJwks: string } {
    return JSON.parse(required('E2E_JWT_KEYS')) as { keyId: string; privateKeyPem: string; publicJwks: string };
  },
  /** The broker's TLS files and user passwords when it runs SASL_SSL (the default); undefined for plaintext. */
  get kafkaSecurity(): LocalKafkaSecurity | undefined {
    const json = process.env['E2E_KAFKA_SECURITY'];
    return json ? (JSON.parse(json) as LocalKafkaSecurity) : undefined;
  },
  /** How `user` logs in (a service's principal, or admin): for kafkajs clients of the tests. */
  kafkaClientSecurity(user: LocalKafkaUser = 'admin'): KafkaSecurity {
    return clientSecurity(this.kafkaSecurity, user);
  },
  /** The KAFKA_* variables of a process logging in as `user` (empty with a plaintext broker). */
  kafkaClientEnv(user: LocalKafkaUser = 'admin'): Record<string, string> {
    const security = this.kafkaSecurity;
    return security ? clientSecurityEnv(security, user) : {};
  },
  databaseUrlFor(database: string): string {
    return required('E2E_DATABASE_URL_TEMPLATE').replace('__database__', database);
  },
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through their jest config (global setup)`);
  return value;
}

/** A name no other test or run uses, so tests isolate by naming instead of cleaning up. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
