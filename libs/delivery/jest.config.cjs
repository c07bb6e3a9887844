module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'delivery',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
