module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'protocol',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/asyncapi/**/*.spec.ts'],
};
