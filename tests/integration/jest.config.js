// Integration tests: real servers started by the tests (see tests/support/), so one file at a time and long timeouts.
// Real servers start in seconds, alert paths take tens of them; several times that on a busy machine (waits for states: tests/support/waitUntil.ts waitBudget).
const base = require('../../pkg/jest.base')(__dirname, { testTimeoutMs: 600_000 });

module.exports = {
  ...base,
  displayName: 'integration',
  testMatch: ['<rootDir>/**/*.test.ts'],
};
