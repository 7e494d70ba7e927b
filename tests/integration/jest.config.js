// Integration tests: real servers started by the tests (see tests/support/), so one file at a time and long timeouts.
const base = require('../../pkg/jest.base')(__dirname);

module.exports = {
  ...base,
  displayName: 'integration',
  testMatch: ['<rootDir>/**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.js'],
};
