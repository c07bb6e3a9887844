module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'loadgen',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
