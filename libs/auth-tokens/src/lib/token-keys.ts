import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Key material of access tokens. Auth signs with one private key (ES256, P-256) named by a key id
 * (`kid`, in every token's header); verifiers hold a set of public keys by id, so a new key can be
 * added everywhere before auth signs with it and the old one removed once its tokens have expired.
 */

/** A key id: what `kid` may contain (it also names files and JWKS entries). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The curve of ES256. */
const CURVE = 'prime256v1';
const JWK_CURVE = 'P-256';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** Public keys by kid: what a verifier accepts. */
export type PublicKeySet = ReadonlyMap<string, KeyObject>;

/** Thrown by the parsers below; the message names what is wrong, never the key itself. */
export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeyError';
  }
}

/** A new P-256 key pair (development, tests, the jwt-keys script). */
export function generateSigningKey(kid: string): SigningKey & { publicKey: KeyObject } {
  if (!KEY_ID_PATTERN.test(kid)) throw new TokenKeyError(`key id "${kid.slice(0, 70)}" must be 1-64 characters of A-Z, a-z, 0-9, ., _ and -`);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVE });
  return { kid, privateKey, publicKey };
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVE;
}

/** A PKCS#8 or SEC1 PEM private key on P-256. */
export function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new TokenKeyError('is not a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)');
  }
  if (!isP256(key)) throw new TokenKeyError(`must be an EC key on P-256 (ES256), not ${key.asymmetricKeyType ?? 'unknown'}${key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''}`);
  return key;
}

/** The PEM of a private key (what JWT_PRIVATE_KEY holds). */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** One JWKS entry of a public key. */
export function publicJwk(kid: string, key: KeyObject): JsonWebKey {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
}

/** A JWKS document (`{"keys":[…]}`) of public keys: what JWT_PUBLIC_KEYS holds. */
export function publicJwks(keys: Iterable<{ kid: string; publicKey: KeyObject }>): string {
  return JSON.stringify({ keys: [...keys].map(({ kid, publicKey }) => publicJwk(kid, publicKey)) });
}

/**
 * The public keys of a JWKS document. Refused: a private key (a verifier must not hold one), an entry
 * without a valid kid, a kid listed twice, anything but EC P-256.
 */
export function parsePublicKeys(jwks: string): Map<string, KeyObject> {
  let document: unknown;
  try {
    document = JSON.parse(jwks);
  } catch {
    throw new TokenKeyError('is not JSON: expected a JWKS document {"keys":[{"kty":"EC","crv":"P-256","kid":…,"x":…,"y":…}]}');
  }
  const entries = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(entries) || entries.length === 0) throw new TokenKeyError('must be a JWKS document with at least one key in "keys"');
  const keys = new Map<string, KeyObject>();
  entries.forEach((entry: unknown, index) => {
    const jwk = (entry ?? {}) as Record<string, unknown>;
    const kid = jwk['kid'];
    if (typeof kid !== 'string' || !KEY_ID_PATTERN.test(kid)) throw new TokenKeyError(`key #${index + 1} has no valid "kid" (1-64 characters of A-Z, a-z, 0-9, ., _ and -)`);
    if ('d' in jwk) throw new TokenKeyError(`key "${kid}" is a private key: verifiers get public keys only (drop "d")`);
    if (jwk['kty'] !== 'EC' || jwk['crv'] !== JWK_CURVE) throw new TokenKeyError(`key "${kid}" must be "kty":"EC","crv":"P-256" (ES256)`);
    if (jwk['alg'] !== undefined && jwk['alg'] !== 'ES256') throw new TokenKeyError(`key "${kid}" has "alg":"${String(jwk['alg'])}"; only ES256 is accepted`);
    if (keys.has(kid)) throw new TokenKeyError(`key "${kid}" is listed twice`);
    try {
      keys.set(kid, createPublicKey({ key: { kty: 'EC', crv: JWK_CURVE, x: jwk['x'], y: jwk['y'] } as JsonWebKey, format: 'jwk' }));
    } catch {
      throw new TokenKeyError(`key "${kid}" is not a valid P-256 public key (x, y)`);
    }
  });
  return keys;
}
