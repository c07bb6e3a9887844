import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { publicKeyOf, type AccessTokenSettings, type AccessTokenSigning } from './access-token';
import { KEY_ID_PATTERN, parsePrivateKey, parsePublicKeys, TokenKeyError, type PublicKeySet } from './token-keys';

/*
 * Environment of the services that sign (auth) or verify (gateway) access tokens. Keys come from the
 * environment only, as the key itself or as the path of a file holding it (a mounted Secret or
 * ConfigMap). Procedure for rotating them: docs/operations.md, "Access-token keys".
 */

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The variable's text, or the content of the file it names when it does not look like `looksInline`. */
function inlineOrFile(value: string, looksInline: (text: string) => boolean, ctx: z.RefinementCtx): string | undefined {
  if (looksInline(value.trimStart())) return value;
  try {
    return readFileSync(value.trim(), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    ctx.addIssue({ code: 'custom', message: `is neither the key itself nor a readable file (${code})`, input: '<redacted>' });
    return undefined;
  }
}

/** Turns a TokenKeyError of `parse` into an issue of the variable; never echoes the value. */
function parsed<T>(text: string | undefined, parse: (text: string) => T, ctx: z.RefinementCtx): T {
  if (text === undefined) return z.NEVER;
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TokenKeyError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, input: '<redacted>' });
    return z.NEVER;
  }
}

const isPem = (text: string) => text.startsWith('-----BEGIN');
const isJson = (text: string) => text.startsWith('{');

/** A JWKS document of public keys, inline or in a file. */
const publicKeysVariable = z.string().transform((value, ctx) => parsed(inlineOrFile(value, isJson, ctx), parsePublicKeys, ctx));

/** A variable that must not be set, with why (a custom issue: loadConfig reports a type error as "is required"). */
const forbidden = (message: string) =>
  z.preprocess(
    emptyToUndefined,
    z.unknown().transform((value, ctx): undefined => {
      if (value !== undefined) ctx.addIssue({ code: 'custom', message, input: '<redacted>' });
      return undefined;
    }),
  );

/** JWT_SECRET signed HS256 tokens until ES256 keys replaced it; a leftover one means a half-done migration. */
const retiredSecret = forbidden('is no longer used: access tokens are signed with ES256 keys. Remove it; set JWT_PRIVATE_KEY and JWT_KEY_ID (auth) and JWT_PUBLIC_KEYS (auth and gateways), see docs/deploy.md');

const claimsEnv = {
  JWT_ISSUER: z.preprocess(emptyToUndefined, z.string().min(1).default('chat-auth')),
  JWT_AUDIENCE: z.preprocess(emptyToUndefined, z.string().min(1).default('chat')),
};

/** Auth's variables: it alone signs, with the newest key; it verifies its own tokens too. */
export const accessTokenSignerEnvSchema = z.object({
  /** PEM (PKCS#8 or SEC1) of the ES256 private key, or the path of a file holding it. */
  JWT_PRIVATE_KEY: z
    .string({ error: "is required: auth's ES256 private key (PEM, or the path of a PEM file); node tools/scripts/jwt-keys.mjs generate makes one" })
    .transform((value, ctx): KeyObject => parsed(inlineOrFile(value, isPem, ctx), parsePrivateKey, ctx)),
  /** The kid of that key, written into every token's header. */
  JWT_KEY_ID: z.string({ error: 'is required: the key id (kid) of JWT_PRIVATE_KEY' }).regex(KEY_ID_PATTERN, 'must be 1-64 characters of A-Z, a-z, 0-9, ., _ and -'),
  /** Other public keys auth still accepts (the previous key during a rotation); its own is always accepted. */
  JWT_PUBLIC_KEYS: z.preprocess(emptyToUndefined, publicKeysVariable.optional()),
  JWT_SECRET: retiredSecret,
  ...claimsEnv,
});

/** A gateway's variables: public keys only. */
export const accessTokenVerifierEnvSchema = z.object({
  /** JWKS document (or its file path) of every public key whose tokens are accepted, by kid. */
  JWT_PUBLIC_KEYS: z.preprocess(emptyToUndefined, z.string({ error: 'is required: a JWKS document (or the path of one) with the public keys of auth, by kid' }).pipe(publicKeysVariable)),
  JWT_PRIVATE_KEY: forbidden('must not be set here: only auth holds the private key; verifiers get JWT_PUBLIC_KEYS'),
  JWT_SECRET: retiredSecret,
  ...claimsEnv,
});

type SignerEnv = z.output<typeof accessTokenSignerEnvSchema>;

/**
 * superRefine for auth's config: JWT_PUBLIC_KEYS may list JWT_KEY_ID only with the same key (a JWKS
 * shared with the gateways lists auth's current key too), never another one under that kid.
 */
export function refineSigningKeys(config: Pick<SignerEnv, 'JWT_PRIVATE_KEY' | 'JWT_KEY_ID' | 'JWT_PUBLIC_KEYS'>, ctx: z.RefinementCtx): void {
  const listed = config.JWT_PUBLIC_KEYS?.get(config.JWT_KEY_ID);
  if (listed && !listed.equals(publicKeyOf({ kid: config.JWT_KEY_ID, privateKey: config.JWT_PRIVATE_KEY }))) {
    ctx.addIssue({ code: 'custom', path: ['JWT_PUBLIC_KEYS'], message: `lists kid "${config.JWT_KEY_ID}" (JWT_KEY_ID) with a public key that is not JWT_PRIVATE_KEY's`, input: '<redacted>' });
  }
}

/** What auth signs with. */
export function accessTokenSigning(env: Pick<SignerEnv, 'JWT_PRIVATE_KEY' | 'JWT_KEY_ID' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>): AccessTokenSigning {
  return { signingKey: { kid: env.JWT_KEY_ID, privateKey: env.JWT_PRIVATE_KEY }, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
}

/**
 * What a verifier accepts: the listed public keys, plus (in auth) the public key of its own signing
 * key, so auth needs JWT_PUBLIC_KEYS only for the previous key of a rotation.
 */
export function accessTokenSettings(env: {
  JWT_PUBLIC_KEYS?: PublicKeySet;
  JWT_PRIVATE_KEY?: KeyObject;
  JWT_KEY_ID?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}): AccessTokenSettings {
  const publicKeys = new Map(env.JWT_PUBLIC_KEYS ?? []);
  if (env.JWT_PRIVATE_KEY && env.JWT_KEY_ID) publicKeys.set(env.JWT_KEY_ID, publicKeyOf({ kid: env.JWT_KEY_ID, privateKey: env.JWT_PRIVATE_KEY }));
  return { publicKeys, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE };
}
