module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'fault-harness',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
