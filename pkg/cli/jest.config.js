// The end-to-end tests spawn the built CLI (bin/telemetry-analyzer.js → dist/), so the engine and the CLI are
// compiled once before the tests run (test/globalSetup.js).
// Each end-to-end test spawns the CLI a few times: seconds alone, many more on a busy machine.
const base = require('../jest.base')(__dirname, { testTimeoutMs: 120_000 });

module.exports = {
  ...base,
  globalSetup: '<rootDir>/test/globalSetup.js',
};
