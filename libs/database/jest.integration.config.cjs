// Integration specs (`nx run database:integration`): TLS to a real PostgreSQL that each spec file
// starts itself (the launcher's startPostgres), with certificates made by openssl. One file at a time.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'database-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.integration-spec.ts'],
  maxWorkers: 1,
};
