// Shared jest settings for the Node workspaces under pkg/: TypeScript through swc, Node environment,
// and workspace packages resolved to their sources so tests never need a prior build.
const path = require('path');

module.exports = (dir) => ({
  rootDir: dir,
  displayName: path.basename(dir),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  moduleNameMapper: {
    '^@telemetry-analyzer/engine$': path.join(__dirname, 'engine/src/index.ts'),
    '^@telemetry-analyzer/proxy$': path.join(__dirname, 'proxy/src/index.ts'),
  },
});
