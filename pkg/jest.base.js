// Shared jest settings for the Node workspaces under pkg/: TypeScript through swc, Node environment,
// and workspace packages resolved to their sources so tests never need a prior build.
const path = require('path');

module.exports = (dir, { testTimeoutMs = 60_000 } = {}) => ({
  rootDir: dir,
  displayName: path.basename(dir),
  testEnvironment: 'node',
  // The timeout (pkg/jest.timeout.js); projects with their own setup files add that file to them.
  globals: { testTimeoutMs },
  setupFilesAfterEnv: [path.join(__dirname, 'jest.timeout.js')],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  moduleNameMapper: {
    '^@telemetry-analyzer/engine$': path.join(__dirname, 'engine/src/index.ts'),
    '^@telemetry-analyzer/query$': path.join(__dirname, 'query/src/index.ts'),
    '^@telemetry-analyzer/proxy$': path.join(__dirname, 'proxy/src/index.ts'),
    '^@telemetry-analyzer/writer$': path.join(__dirname, 'writer/src/index.ts'),
  },
});
