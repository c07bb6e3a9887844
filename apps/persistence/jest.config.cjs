// Unit specs only: no database. The specs that run against a real PostgreSQL are the
// `integration` target (jest.integration.config.cjs).
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'persistence',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
