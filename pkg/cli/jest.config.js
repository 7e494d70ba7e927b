// The end-to-end tests spawn the built CLI (bin/telemetry-analyzer.js → dist/), so the engine and the CLI are
// compiled once before the tests run (test/globalSetup.js).
const base = require('../jest.base')(__dirname);

module.exports = {
  ...base,
  globalSetup: '<rootDir>/test/globalSetup.js',
  setupFilesAfterEnv: ['<rootDir>/test/jest.setup.js'],
};
