// Builds pkg/engine, pkg/query, pkg/proxy (for `serve`), pkg/writer (for `run`) and pkg/cli with tsc so the end-to-end tests run the current sources through the real bin.
// A workspace is compiled again unless its dist is newer than everything its build reads, as make decides: its
// sources, its tsconfig and the base one, TypeScript itself, and the builds of the workspaces before it, whose types
// it reads. CI's unit step comes right after `npm run build:pkg`, so there nothing is compiled twice (~17 s).
const { execFileSync } = require('child_process');
const { existsSync, readdirSync, statSync } = require('fs');
const path = require('path');

const workspaces = ['pkg/engine', 'pkg/query', 'pkg/proxy', 'pkg/writer', 'pkg/cli'];

/** Every file under a directory (none when it does not exist). */
function filesUnder(directory) {
  if (!existsSync(directory)) {
    return [];
  }
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

function mtimes(files) {
  return files.map((file) => statSync(file).mtimeMs);
}

/** Whether the JavaScript of every source is in dist and newer than every input (files left in dist by a removed
 * source do not count). */
function isFresh(sources, inputs) {
  const outputs = sources
    .filter((file) => /(?<!\.d)\.tsx?$/.test(file))
    .map((file) => file.replace(`${path.sep}src${path.sep}`, `${path.sep}dist${path.sep}`).replace(/\.tsx?$/, '.js'));
  return outputs.length > 0 && outputs.every(existsSync) && Math.min(...mtimes(outputs)) >= Math.max(...mtimes(inputs));
}

module.exports = async () => {
  const root = path.resolve(__dirname, '../../..');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const shared = [
    path.join(root, 'pkg', 'tsconfig.base.json'),
    require.resolve('typescript/package.json', { paths: [root] }),
  ];
  const builtBefore = [];
  for (const workspace of workspaces) {
    const directory = path.join(root, workspace);
    const sources = filesUnder(path.join(directory, 'src'));
    const inputs = [
      ...shared,
      path.join(directory, 'tsconfig.json'),
      ...sources,
      ...builtBefore.flatMap((before) => filesUnder(path.join(before, 'dist'))),
    ];
    if (!isFresh(sources, inputs)) {
      execFileSync(process.execPath, [tsc, '-p', workspace], { cwd: root, stdio: 'inherit' });
    }
    builtBefore.push(directory);
  }
};
