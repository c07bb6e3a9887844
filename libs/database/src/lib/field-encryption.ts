import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { emptyToUndefined } from '@chat/service-kit';

/*
 * Encryption of user content at rest (message bodies, announcements, recorded command results):
 * AES-256-GCM under a data key named by a key id, with a random 96-bit IV per value and the row's
 * identity as additional authenticated data, so a ciphertext copied into another row does not
 * decrypt. The key id is stored beside the value (a `*_key_id` column) so rotation can find the
 * rows still under an old key with a plain query; NULL there means a row written before encryption
 * (plaintext), still readable. Keys come from the environment or a mounted secret file and never
 * appear in logs, errors or JSON.
 */

/** The only format so far: `v1:` then base64 of iv (12 bytes) ‖ ciphertext ‖ tag (16 bytes). */
const VERSION_PREFIX = 'v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** A value sealed for storage: the stored text and the id of the key that sealed it. */
export interface SealedValue {
  value: string;
  keyId: string;
}

/** Thrown when a stored value cannot be opened: unknown key id, tampered or misplaced ciphertext. */
export class FieldDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldDecryptionError';
  }
}

/** The data keys by id and the one new values are sealed with. Key bytes never leave this object. */
export class DataKeyring {
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: ReadonlyMap<string, Buffer>,
    readonly currentKeyId: string,
  ) {
    for (const [id, key] of keys) {
      if (!KEY_ID_PATTERN.test(id)) throw new Error(`data key id "${id}" must be 1-32 characters of A-Z, a-z, 0-9, . _ -`);
      if (key.length !== KEY_BYTES) throw new Error(`data key ${id} is ${key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    }
    if (!keys.has(currentKeyId)) throw new Error(`the current data key ${currentKeyId} is not among the keys (${[...keys.keys()].join(', ')})`);
    this.#keys = new Map(keys);
  }

  /** A keyring of one fresh random key, for tests and development. */
  static generate(keyId = 'k1'): DataKeyring {
    return new DataKeyring(new Map([[keyId, randomBytes(KEY_BYTES)]]), keyId);
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** Seals `plaintext` under the current key; `aad` names the row and column it is stored in. */
  seal(plaintext: string, aad: string): SealedValue {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(this.currentKeyId), iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { value: VERSION_PREFIX + Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64'), keyId: this.currentKeyId };
  }

  /** The plaintext of a stored value; `keyId` null means the row predates encryption and holds plaintext. */
  open(value: string, keyId: string | null, aad: string): string {
    if (keyId === null) return value;
    const key = this.#keys.get(keyId);
    if (!key) throw new FieldDecryptionError(`stored value for ${aad} is under data key ${keyId}, which is not configured (DATA_ENCRYPTION_KEYS has ${this.keyIds.join(', ')})`);
    if (!value.startsWith(VERSION_PREFIX)) throw new FieldDecryptionError(`stored value for ${aad} is not in a known format`);
    const sealed = Buffer.from(value.slice(VERSION_PREFIX.length), 'base64');
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new FieldDecryptionError(`stored value for ${aad} is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      // GCM says only "unable to authenticate": wrong key bytes under this id, a changed value, or one moved from another row.
      throw new FieldDecryptionError(`stored value for ${aad} failed authentication under data key ${keyId}`);
    }
  }

  /** Never the key bytes, whatever logs or serialises this. */
  toJSON(): { currentKeyId: string; keyIds: string[] } {
    return { currentKeyId: this.currentKeyId, keyIds: this.keyIds };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DataKeyring { current: ${this.currentKeyId}, keys: ${this.keyIds.join(', ')} }`;
  }

  private key(keyId: string): Buffer {
    return this.#keys.get(keyId) as Buffer;
  }
}

/**
 * Parses `kid1:base64key,kid2:base64key` (commas or newlines between entries): problems name the key
 * id and what is wrong, never the key.
 */
export function parseDataKeys(text: string): { keys: Map<string, Buffer>; problems: string[] } {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  const entries = text.split(/[,\n]/).map((entry) => entry.trim()).filter((entry) => entry !== '' && !entry.startsWith('#'));
  if (entries.length === 0) problems.push('lists no key (expected kid:base64key[,kid:base64key…])');
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    const encoded = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`entry ${index + 1} must be kid:base64key with a kid of 1-32 characters of A-Z, a-z, 0-9, . _ -`);
      return;
    }
    if (keys.has(id)) problems.push(`key ${id} is listed twice`);
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) problems.push(`key ${id} must be ${KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32), got ${key.length} bytes`);
    else keys.set(id, key);
  });
  return { keys, problems };
}

/**
 * The environment variables of data encryption, to spread into a service's config schema and check
 * with `checkDataEncryptionConfig` (a superRefine: the variables depend on each other).
 * DATA_ENCRYPTION_KEYS holds the keys, or DATA_ENCRYPTION_KEYS_FILE names a file that does (a
 * mounted secret); DATA_ENCRYPTION_KEY_ID is the key new values are sealed with.
 */
export const dataEncryptionEnv = {
  DATA_ENCRYPTION_KEYS: z.preprocess(emptyToUndefined, z.string().optional()),
  DATA_ENCRYPTION_KEYS_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  DATA_ENCRYPTION_KEY_ID: z.string({ error: 'is required: the id of the data key new values are encrypted with (one of DATA_ENCRYPTION_KEYS)' }).trim().min(1, 'is required'),
};

type DataEncryptionValues = { DATA_ENCRYPTION_KEYS?: string; DATA_ENCRYPTION_KEYS_FILE?: string; DATA_ENCRYPTION_KEY_ID: string };

/** The keyring the validated variables describe (they were checked by checkDataEncryptionConfig). */
export function dataKeyringFrom(values: DataEncryptionValues): DataKeyring {
  const { keys } = parseDataKeys(keyText(values) ?? '');
  return new DataKeyring(keys, values.DATA_ENCRYPTION_KEY_ID);
}

function keyText(values: DataEncryptionValues): string | undefined {
  return values.DATA_ENCRYPTION_KEYS ?? (values.DATA_ENCRYPTION_KEYS_FILE === undefined ? undefined : readFileSync(values.DATA_ENCRYPTION_KEYS_FILE, 'utf8'));
}

/** Cross-checks the data encryption variables; every problem names its variable and never a key. */
export function checkDataEncryptionConfig(values: DataEncryptionValues, context: z.RefinementCtx): void {
  const issue = (variable: keyof DataEncryptionValues, message: string) => context.addIssue({ code: 'custom', path: [variable], message });
  if (values.DATA_ENCRYPTION_KEYS !== undefined && values.DATA_ENCRYPTION_KEYS_FILE !== undefined) {
    issue('DATA_ENCRYPTION_KEYS_FILE', 'set either DATA_ENCRYPTION_KEYS or DATA_ENCRYPTION_KEYS_FILE, not both');
    return;
  }
  const source = values.DATA_ENCRYPTION_KEYS_FILE === undefined ? 'DATA_ENCRYPTION_KEYS' : 'DATA_ENCRYPTION_KEYS_FILE';
  let text: string | undefined;
  try {
    text = keyText(values);
  } catch (error) {
    issue('DATA_ENCRYPTION_KEYS_FILE', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return;
  }
  if (text === undefined) {
    issue('DATA_ENCRYPTION_KEYS', 'is required (kid:base64key[,kid:base64key…], 32-byte keys), or DATA_ENCRYPTION_KEYS_FILE naming a file that holds them');
    return;
  }
  const { keys, problems } = parseDataKeys(text);
  for (const problem of problems) issue(source, problem);
  if (problems.length === 0 && !keys.has(values.DATA_ENCRYPTION_KEY_ID)) {
    issue('DATA_ENCRYPTION_KEY_ID', `names key ${values.DATA_ENCRYPTION_KEY_ID}, which ${source} does not list (it has ${[...keys.keys()].join(', ')})`);
  }
}
