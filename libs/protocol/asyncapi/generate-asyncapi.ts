import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ASYNCAPI_DOCUMENT, REGENERATE_COMMAND, regenerateAsyncApi } from './asyncapi-schemas';

/*
 * Rewrites the generated schemas of docs/asyncapi.yaml from the zod schemas of this lib:
 *   npx nx run protocol:asyncapi [--args=--check]
 * With --check it writes nothing and exits 1 if the document is out of date.
 */
const file = path.resolve(__dirname, '../../..', ASYNCAPI_DOCUMENT);
const current = readFileSync(file, 'utf8');
const next = regenerateAsyncApi(current);

if (next === current) {
  process.stdout.write(`${ASYNCAPI_DOCUMENT} is up to date\n`);
} else if (process.argv.includes('--check')) {
  process.stderr.write(`${ASYNCAPI_DOCUMENT} is out of date with libs/protocol; run: ${REGENERATE_COMMAND}\n`);
  process.exitCode = 1;
} else {
  writeFileSync(file, next);
  process.stdout.write(`${ASYNCAPI_DOCUMENT}: schemas regenerated from libs/protocol\n`);
}
