module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'chat-cli',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
