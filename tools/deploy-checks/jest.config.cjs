module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'deploy-checks',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Each spec renders the overlays and starts the built services (--config-keys, --check-config).
  testTimeout: 60000,
};
