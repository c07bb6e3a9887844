#!/usr/bin/env node
// Access-token keys (ES256, P-256) for auth and the gateways (docs/deploy.md, "Access-token keys").
//   node tools/scripts/jwt-keys.mjs generate <kid> [--dir DIR]   writes DIR/<kid>.private.pem (0600) and DIR/jwks.json (its public key)
//   node tools/scripts/jwt-keys.mjs jwks <kid>.private.pem…      prints a JWKS of the public keys (kid = file name before .private.pem)
// The private key goes to auth only (JWT_PRIVATE_KEY, JWT_KEY_ID); the JWKS to auth and every gateway (JWT_PUBLIC_KEYS).
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KID = /^[A-Za-z0-9._-]{1,64}$/;

function jwk(kid, privateKey) {
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
}

function fail(message) {
  process.stderr.write(`jwt-keys: ${message}\n`);
  process.exit(64);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'generate') {
  const kid = rest[0];
  if (!kid || !KID.test(kid)) fail('generate <kid>: the kid must be 1-64 characters of A-Z, a-z, 0-9, ., _ and -');
  const dirIndex = rest.indexOf('--dir');
  const dir = dirIndex >= 0 ? rest[dirIndex + 1] : '.';
  if (!dir) fail('--dir needs a directory');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyFile = path.join(dir, `${kid}.private.pem`);
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(path.join(dir, 'jwks.json'), `${JSON.stringify({ keys: [jwk(kid, privateKey)] })}\n`);
  process.stdout.write(`${keyFile}: private key of kid ${kid} (auth only); ${path.join(dir, 'jwks.json')}: its public key\n`);
} else if (command === 'jwks') {
  if (rest.length === 0) fail('jwks <kid>.private.pem…');
  const keys = rest.map((file) => {
    const kid = path.basename(file).replace(/\.private\.pem$/, '');
    if (!KID.test(kid)) fail(`${file}: name it <kid>.private.pem`);
    return jwk(kid, createPrivateKey(readFileSync(file, 'utf8')));
  });
  process.stdout.write(`${JSON.stringify({ keys })}\n`);
} else {
  fail('usage: jwt-keys.mjs generate <kid> [--dir DIR] | jwks <kid>.private.pem…');
}
