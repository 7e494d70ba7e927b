// Builds pkg/engine, pkg/query, pkg/proxy (for `serve`), pkg/writer (for `run`) and pkg/cli with tsc so the end-to-end tests run the current sources through the real bin.
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = async () => {
  const root = path.resolve(__dirname, '../../..');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  for (const workspace of ['pkg/engine', 'pkg/query', 'pkg/proxy', 'pkg/writer', 'pkg/cli']) {
    execFileSync(process.execPath, [tsc, '-p', workspace], { cwd: root, stdio: 'inherit' });
  }
};
