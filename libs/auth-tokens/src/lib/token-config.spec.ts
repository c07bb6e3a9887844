import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { signAccessToken, verifyAccessToken } from './access-token';
import { accessTokenSettings, accessTokenSignerEnvSchema, accessTokenSigning, accessTokenVerifierEnvSchema, refineSigningKeys } from './token-config';
import { generateSigningKey, privateKeyPem, publicJwk, publicJwks } from './token-keys';

const k1 = generateSigningKey('k1');
const k2 = generateSigningKey('k2');
const signerSchema = accessTokenSignerEnvSchema.superRefine(refineSigningKeys);

function problems(schema: z.ZodType, env: Record<string, string>): string[] {
  const parsed = schema.safeParse(env);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const subject = { userId: '0b0f5b8e-3b0a-4f0e-9c59-7d7f0f3f3f3f', username: 'ann', tokenId: 't' };

describe('access-token key configuration', () => {
  it('auth signs with JWT_PRIVATE_KEY under JWT_KEY_ID and accepts its own key plus JWT_PUBLIC_KEYS', () => {
    const env = signerSchema.parse({ JWT_PRIVATE_KEY: privateKeyPem(k2.privateKey), JWT_KEY_ID: 'k2', JWT_PUBLIC_KEYS: publicJwks([k1, k2]) });
    const settings = accessTokenSettings(env);
    expect([...settings.publicKeys.keys()].sort()).toEqual(['k1', 'k2']);
    const token = signAccessToken(accessTokenSigning(env), subject, 60);
    expect(verifyAccessToken(settings, token).username).toBe('ann');
    expect(verifyAccessToken(settings, signAccessToken({ ...accessTokenSigning(env), signingKey: k1 }, subject, 60)).username).toBe('ann');
  });

  it('reads keys from files when the variables hold paths', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jwt-keys-'));
    writeFileSync(path.join(dir, 'k2.pem'), privateKeyPem(k2.privateKey));
    writeFileSync(path.join(dir, 'jwks.json'), publicJwks([k2]));
    const signer = signerSchema.parse({ JWT_PRIVATE_KEY: path.join(dir, 'k2.pem'), JWT_KEY_ID: 'k2' });
    const verifier = accessTokenVerifierEnvSchema.parse({ JWT_PUBLIC_KEYS: path.join(dir, 'jwks.json') });
    expect(verifyAccessToken(accessTokenSettings(verifier), signAccessToken(accessTokenSigning(signer), subject, 60)).username).toBe('ann');
    expect(problems(accessTokenVerifierEnvSchema, { JWT_PUBLIC_KEYS: path.join(dir, 'missing.json') })).toEqual(['JWT_PUBLIC_KEYS: is neither the key itself nor a readable file (ENOENT)']);
  });

  it('names what is missing or wrong in auth, never echoing a key', () => {
    expect(problems(signerSchema, {})).toEqual([expect.stringMatching(/^JWT_PRIVATE_KEY: is required/), expect.stringMatching(/^JWT_KEY_ID: is required/)]);
    expect(problems(signerSchema, { JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----', JWT_KEY_ID: 'k 2' })).toEqual([
      'JWT_PRIVATE_KEY: is not a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)',
      'JWT_KEY_ID: must be 1-64 characters of A-Z, a-z, 0-9, ., _ and -',
    ]);
    const pem = privateKeyPem(k2.privateKey);
    const conflicting = problems(signerSchema, { JWT_PRIVATE_KEY: pem, JWT_KEY_ID: 'k1', JWT_PUBLIC_KEYS: publicJwks([k1]) });
    expect(conflicting).toEqual(['JWT_PUBLIC_KEYS: lists kid "k1" (JWT_KEY_ID) with a public key that is not JWT_PRIVATE_KEY\'s']);
    expect(problems(signerSchema, { JWT_PRIVATE_KEY: pem, JWT_KEY_ID: 'k2', JWT_SECRET: 'a'.repeat(48) })).toEqual([expect.stringMatching(/^JWT_SECRET: is no longer used/)]);
    expect(conflicting.join()).not.toContain(pem.slice(40, 80));
  });

  it('refuses a private key given to a verifier, in either variable', () => {
    expect(problems(accessTokenVerifierEnvSchema, { JWT_PUBLIC_KEYS: publicJwks([k1]), JWT_PRIVATE_KEY: privateKeyPem(k1.privateKey) })).toEqual([
      'JWT_PRIVATE_KEY: must not be set here: only auth holds the private key; verifiers get JWT_PUBLIC_KEYS',
    ]);
    const privateJwk = { ...k1.privateKey.export({ format: 'jwk' }), kid: 'k1' };
    expect(problems(accessTokenVerifierEnvSchema, { JWT_PUBLIC_KEYS: JSON.stringify({ keys: [privateJwk] }) })).toEqual(['JWT_PUBLIC_KEYS: key "k1" is a private key: verifiers get public keys only (drop "d")']);
  });

  it('refuses a JWKS without kid, with a duplicate kid, another curve, or that is not JSON', () => {
    const noKid = { ...publicJwk('k1', k1.publicKey), kid: undefined };
    expect(problems(accessTokenVerifierEnvSchema, { JWT_PUBLIC_KEYS: JSON.stringify({ keys: [noKid] }) })).toEqual([expect.stringMatching(/^JWT_PUBLIC_KEYS: key #1 has no valid "kid"/)]);
    expect(problems(accessTokenVerifierEnvSchema, { JWT_PUBLIC_KEYS: JSON.stringify({ keys: [publicJwk('k1', k1.publicKey), publicJwk('k1', k2.publicKey)] }) })).toEqual(['JWT_PUBLIC_KEYS: key "k1" is listed twice']);
    expect(problems(accessTokenVerifierEnvSchema, { JWT_PUBLIC_KEYS: JSON.stringify({ keys: [{ ...publicJwk('k1', k1.publicKey), crv: 'P-384' }] }) })).toEqual(['JWT_PUBLIC_KEYS: key "k1" must be "kty":"EC","crv":"P-256" (ES256)']);
    expect(problems(accessTokenVerifierEnvSchema, { JWT_PUBLIC_KEYS: '{"keys":' })).toEqual([expect.stringMatching(/^JWT_PUBLIC_KEYS: is not JSON/)]);
    expect(problems(accessTokenVerifierEnvSchema, {})).toEqual([expect.stringMatching(/^JWT_PUBLIC_KEYS: is required/)]);
  });
});
