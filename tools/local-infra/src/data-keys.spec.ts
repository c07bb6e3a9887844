import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devDataEncryptionEnv, generateDataEncryptionEnv } from './data-keys';

describe('data encryption keys for local runs', () => {
  it('generates one 32-byte key under its id', () => {
    const env = generateDataEncryptionEnv('run1');
    expect(env.DATA_ENCRYPTION_KEY_ID).toBe('run1');
    const [id, key] = env.DATA_ENCRYPTION_KEYS.split(':');
    expect(id).toBe('run1');
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
  });

  it('keeps the dev key in a file only its owner reads, and gives the same key on the next start', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'dev-keys-')), 'dev');
    const first = devDataEncryptionEnv(dir, {});
    expect(devDataEncryptionEnv(dir, {})).toEqual(first);
    expect(statSync(path.join(dir, 'data-encryption-keys.json')).mode & 0o777).toBe(0o600);
  });

  it('takes the keys from the environment when both variables are set', () => {
    const given = generateDataEncryptionEnv('mine');
    expect(devDataEncryptionEnv('/nonexistent', { ...given })).toEqual(given);
  });
});
