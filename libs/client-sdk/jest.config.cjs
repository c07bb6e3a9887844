module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'client-sdk',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
