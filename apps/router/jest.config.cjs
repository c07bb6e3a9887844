module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'router',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
