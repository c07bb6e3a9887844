// End-to-end tests: a real Kafka broker and a real PostgreSQL, started once for the run on free
// ports (so a running dev suite is never touched), and services as separate OS processes.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'suite-e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/src/support/global-teardown.ts',
  testTimeout: 180_000,
  maxWorkers: 1,
};
