import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';
import { checkDataEncryptionConfig, DataKeyring, dataEncryptionEnv, dataKeyringFrom, FieldDecryptionError, parseDataKeys } from './field-encryption';

const key = () => randomBytes(32);
const schema = z.object(dataEncryptionEnv).superRefine(checkDataEncryptionConfig);
const problems = (env: Record<string, string>) => (schema.safeParse(env).error?.issues ?? []).map((issue) => `${String(issue.path[0])}: ${issue.message}`);

describe('DataKeyring', () => {
  const k1 = key();
  const k2 = key();
  const both = new DataKeyring(new Map([['k1', k1], ['k2', k2]]), 'k2');

  it('seals under the current key with a fresh IV each time and opens with the same row identity', () => {
    const first = both.seal('hello bob', 'messages.body|m1');
    const second = both.seal('hello bob', 'messages.body|m1');
    expect(first.keyId).toBe('k2');
    expect(first.value).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(first.value).not.toBe(second.value);
    expect(first.value).not.toContain('hello');
    expect(both.open(first.value, 'k2', 'messages.body|m1')).toBe('hello bob');
  });

  it('makes a ciphertext the UTF-8 length of the text plus 28 bytes (IV and tag), stored as v1: and base64', () => {
    for (const text of ['', 'hello bob', 'grüße 👋', 'x'.repeat(16_384)]) {
      const { value } = both.seal(text, 'messages.body|m1');
      const bytes = Buffer.byteLength(text, 'utf8') + 28;
      expect(Buffer.from(value.slice('v1:'.length), 'base64')).toHaveLength(bytes);
      expect(value).toHaveLength('v1:'.length + 4 * Math.ceil(bytes / 3));
    }
  });

  it('refuses a value moved to another row, changed, or under a key it does not have', () => {
    const sealed = both.seal('hello', 'messages.body|m1');
    expect(() => both.open(sealed.value, 'k2', 'messages.body|m2')).toThrow(FieldDecryptionError);
    const flipped = Buffer.from(sealed.value.slice(3), 'base64');
    flipped[14] ^= 1;
    expect(() => both.open(`v1:${flipped.toString('base64')}`, 'k2', 'messages.body|m1')).toThrow(/failed authentication under data key k2/);
    expect(() => both.open(sealed.value, 'k9', 'messages.body|m1')).toThrow(/data key k9, which is not configured/);
  });

  it('reads values sealed under an older key it still lists, and plaintext rows (no key id) as they are', () => {
    const old = new DataKeyring(new Map([['k1', k1]]), 'k1').seal('from before', 'a|1');
    expect(both.open(old.value, 'k1', 'a|1')).toBe('from before');
    expect(both.open('written before encryption', null, 'a|1')).toBe('written before encryption');
  });

  it('never shows its keys', () => {
    const shown = `${JSON.stringify(both)} ${inspect(both)} ${String(both)}`;
    for (const secret of [k1, k2]) {
      expect(shown).not.toContain(secret.toString('base64'));
      expect(shown).not.toContain(secret.toString('hex'));
    }
    expect(JSON.parse(JSON.stringify(both))).toEqual({ currentKeyId: 'k2', keyIds: ['k1', 'k2'] });
  });
});

describe('data encryption configuration', () => {
  const k1 = key().toString('base64');

  it('accepts keys from the environment or from a file, commas or lines between them', () => {
    expect(problems({ DATA_ENCRYPTION_KEYS: `k1:${k1}`, DATA_ENCRYPTION_KEY_ID: 'k1' })).toEqual([]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'keys-')), 'keys');
    writeFileSync(file, `# rotated 2026-12\nk0:${key().toString('base64')}\nk1:${k1}\n`);
    expect(problems({ DATA_ENCRYPTION_KEYS_FILE: file, DATA_ENCRYPTION_KEY_ID: 'k1' })).toEqual([]);
    const keyring = dataKeyringFrom({ DATA_ENCRYPTION_KEYS_FILE: file, DATA_ENCRYPTION_KEY_ID: 'k1' });
    expect(keyring.keyIds).toEqual(['k0', 'k1']);
  });

  it('names what is wrong without printing a key', () => {
    const short = randomBytes(16).toString('base64');
    const found = problems({ DATA_ENCRYPTION_KEYS: `k1:${short},k2:${k1},bad entry`, DATA_ENCRYPTION_KEY_ID: 'k1' });
    expect(found).toEqual([
      'DATA_ENCRYPTION_KEYS: key k1 must be 32 bytes in base64 (e.g. openssl rand -base64 32), got 16 bytes',
      expect.stringMatching(/^DATA_ENCRYPTION_KEYS: entry 3 must be kid:base64key/),
    ]);
    expect(found.join(' ')).not.toContain(short);
    expect(found.join(' ')).not.toContain(k1);
  });

  it('requires the keys, a current key they list, and one source only', () => {
    expect(problems({ DATA_ENCRYPTION_KEY_ID: 'k1' })).toEqual([expect.stringMatching(/^DATA_ENCRYPTION_KEYS: is required/)]);
    expect(problems({ DATA_ENCRYPTION_KEYS: `k1:${k1}` })).toEqual([expect.stringMatching(/^DATA_ENCRYPTION_KEY_ID: is required/)]);
    expect(problems({ DATA_ENCRYPTION_KEYS: `k1:${k1}`, DATA_ENCRYPTION_KEY_ID: 'k2' })).toEqual(['DATA_ENCRYPTION_KEY_ID: names key k2, which DATA_ENCRYPTION_KEYS does not list (it has k1)']);
    expect(problems({ DATA_ENCRYPTION_KEYS: `k1:${k1}`, DATA_ENCRYPTION_KEYS_FILE: '/nonexistent', DATA_ENCRYPTION_KEY_ID: 'k1' })).toEqual([
      'DATA_ENCRYPTION_KEYS_FILE: set either DATA_ENCRYPTION_KEYS or DATA_ENCRYPTION_KEYS_FILE, not both',
    ]);
    expect(problems({ DATA_ENCRYPTION_KEYS_FILE: '/nonexistent/keys', DATA_ENCRYPTION_KEY_ID: 'k1' })).toEqual(['DATA_ENCRYPTION_KEYS_FILE: cannot be read (ENOENT)']);
  });

  it('parses what openssl rand -base64 32 prints', () => {
    expect(parseDataKeys(`2026-12:${k1}`).problems).toEqual([]);
  });
});
