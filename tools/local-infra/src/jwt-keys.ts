import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The access-token keys of the runs of this workspace: auth signs ES256 with the private key
 * (JWT_PRIVATE_KEY, JWT_KEY_ID), gateways verify with the public JWKS (JWT_PUBLIC_KEYS). Production
 * takes them from a Secret and a ConfigMap (docs/deploy.md); these are for development and tests.
 */
export interface JwtKeys {
  /** JWT_KEY_ID. */
  keyId: string;
  /** JWT_PRIVATE_KEY: PKCS#8 PEM on P-256. Auth only. */
  privateKeyPem: string;
  /** JWT_PUBLIC_KEYS: a JWKS document with the public key under keyId. */
  publicJwks: string;
}

/** One fresh key pair (a test, load or harness run; tokens live as long as the run). */
export function generateJwtKeys(keyId = 'dev1'): JwtKeys {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    keyId,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwks: JSON.stringify({ keys: [{ kty, crv, x, y, kid: keyId, alg: 'ES256', use: 'sig' }] }),
  };
}

/** The variables of a service from the keys: auth signs, gateways verify; others need none. */
export function jwtEnv(role: 'signs' | 'verifies', keys: JwtKeys): Record<string, string> {
  return role === 'signs' ? { JWT_PRIVATE_KEY: keys.privateKeyPem, JWT_KEY_ID: keys.keyId, JWT_PUBLIC_KEYS: keys.publicJwks } : { JWT_PUBLIC_KEYS: keys.publicJwks };
}

/**
 * `up`: the keys from the environment when JWT_PRIVATE_KEY, JWT_KEY_ID and JWT_PUBLIC_KEYS are all
 * set, else a pair generated once into `<devDir>/jwt-keys.json` (mode 0600) and kept, so sessions
 * survive restarts of the local suite.
 */
export function devJwtKeys(devDir: string, env: NodeJS.ProcessEnv = process.env): JwtKeys {
  if (env.JWT_PRIVATE_KEY && env.JWT_KEY_ID && env.JWT_PUBLIC_KEYS) return { keyId: env.JWT_KEY_ID, privateKeyPem: env.JWT_PRIVATE_KEY, publicJwks: env.JWT_PUBLIC_KEYS };
  const file = path.join(devDir, 'jwt-keys.json');
  if (!existsSync(file)) {
    mkdirSync(devDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(generateJwtKeys(), null, 2)}\n`, { mode: 0o600 });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as JwtKeys;
}
