// The integration tests' real-server harness (tests/support/*.ts: Prometheus with promtool backfill, ...) for bench
// cases, which are plain JavaScript: ts-node compiles those files on require (types are not checked: jest and tsc do
// that). The workspaces themselves are required from their built dist/ (`npm run build:pkg`).
const path = require('path');

let registered = false;

/** require() of tests/support/<name>.ts, e.g. requireTestSupport('prometheus').startPrometheus. */
function requireTestSupport(name) {
  if (!registered) {
    require('ts-node').register({
      transpileOnly: true,
      compilerOptions: { module: 'commonjs', moduleResolution: 'node10', target: 'es2022' },
    });
    registered = true;
  }
  return require(path.join(__dirname, '..', '..', 'tests', 'support', name));
}

module.exports = { requireTestSupport };
