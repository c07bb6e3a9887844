module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'auth-tokens',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
