// Integration specs (`nx run persistence:integration`): the use cases against a real PostgreSQL that
// each spec file starts itself (the launcher's startPostgres, test/test-database.ts). One file at a
// time, so two clusters never compete for the machine.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'persistence-integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.integration-spec.ts'],
  maxWorkers: 1,
};
