import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Persistence's data encryption keys (DATA_ENCRYPTION_KEYS, DATA_ENCRYPTION_KEY_ID: message bodies
 * and other content are encrypted at rest under them) for the runs of this workspace. Production
 * takes them from a secret (docs/deploy.md); these are for development and tests only.
 */
export interface DataEncryptionEnv {
  DATA_ENCRYPTION_KEYS: string;
  DATA_ENCRYPTION_KEY_ID: string;
}

/** One fresh random key (a test run, a load or harness run: its database lives as long as the run). */
export function generateDataEncryptionEnv(keyId = 'dev1'): DataEncryptionEnv {
  return { DATA_ENCRYPTION_KEYS: `${keyId}:${randomBytes(32).toString('base64')}`, DATA_ENCRYPTION_KEY_ID: keyId };
}

/**
 * `up`: the keys from the environment when both variables are set, else one key generated once into
 * `<devDir>/data-encryption-keys` (mode 0600) and kept, like the JWT secret, so the local database
 * stays readable across restarts. Deleting the file makes the stored messages unreadable.
 */
export function devDataEncryptionEnv(devDir: string, env: NodeJS.ProcessEnv = process.env): DataEncryptionEnv {
  if (env.DATA_ENCRYPTION_KEYS && env.DATA_ENCRYPTION_KEY_ID) return { DATA_ENCRYPTION_KEYS: env.DATA_ENCRYPTION_KEYS, DATA_ENCRYPTION_KEY_ID: env.DATA_ENCRYPTION_KEY_ID };
  const file = path.join(devDir, 'data-encryption-keys.json');
  if (!existsSync(file)) {
    mkdirSync(devDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(generateDataEncryptionEnv(), null, 2)}\n`, { mode: 0o600 });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as DataEncryptionEnv;
}
