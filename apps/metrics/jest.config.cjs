const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'metrics',
  rootDir: __dirname,
  // src: the service; public: the dashboard's browser code (its pure parts, which touch no DOM).
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/public/**/*.spec.ts'],
  // The browser code imports its modules as the browser loads them (`./format.js`); jest reads the .ts.
  moduleNameMapper: { ...preset.moduleNameMapper, '^(\\.{1,2}/.*)\\.js$': '$1' },
};
