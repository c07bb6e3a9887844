module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'helpers',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
