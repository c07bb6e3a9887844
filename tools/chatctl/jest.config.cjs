module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'chatctl',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
