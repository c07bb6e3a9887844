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
