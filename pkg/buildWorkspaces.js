// Compiles the workspaces with tsc, in dependency order, so tests can run the real CLI (`node pkg/cli/bin/...`), as
// compose and users do. Used by the CLI tests' global setup and the integration tests that start the CLI.
//
// A workspace is compiled again unless its dist is newer than everything its build reads, as make decides: its
// sources and their directories (a file added, removed or renamed, even keeping its old time, changes its
// directory's), its tsconfig and the base one, TypeScript itself, and the builds of the workspaces before it, whose
// types it reads. CI's steps come after `npm run build:pkg`, so there nothing is compiled twice (~17 s each time).
// A build with type errors emits nothing (noEmitOnError in pkg/tsconfig.base.json), so it never passes for fresh.
const { execFileSync } = require('child_process');
const { existsSync, readdirSync, statSync } = require('fs');
const path = require('path');

const repositoryRoot = path.resolve(__dirname, '..');
/** Each after the workspaces it imports. */
const WORKSPACES = ['pkg/engine', 'pkg/query', 'pkg/proxy', 'pkg/writer', 'pkg/cli'];

/** Every file under a directory (none when it does not exist); with `directories`, the directories too, itself first. */
function filesUnder(directory, directories = false) {
  if (!existsSync(directory)) {
    return [];
  }
  const entries = readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() || (directories && entry.isDirectory()))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
  return directories ? [directory, ...entries] : entries;
}

function mtimes(files) {
  return files.map((file) => statSync(file).mtimeMs);
}

/**
 * Whether the JavaScript of every source of the workspace is in dist and newer than every input (files left in dist
 * by a removed source do not count).
 */
function isFresh(directory, sources, inputs) {
  const outputs = sources
    .filter((file) => /(?<!\.d)\.tsx?$/.test(file))
    .map((file) =>
      path.join(directory, 'dist', path.relative(path.join(directory, 'src'), file)).replace(/\.tsx?$/, '.js')
    );
  return outputs.length > 0 && outputs.every(existsSync) && Math.min(...mtimes(outputs)) > Math.max(...mtimes(inputs));
}

/** Compiles every workspace whose dist is not fresh. Throws when tsc fails. */
function buildWorkspaces() {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [repositoryRoot] });
  const shared = [
    path.join(repositoryRoot, 'pkg', 'tsconfig.base.json'),
    require.resolve('typescript/package.json', { paths: [repositoryRoot] }),
  ];
  const builtBefore = [];
  for (const workspace of WORKSPACES) {
    const directory = path.join(repositoryRoot, workspace);
    const sources = filesUnder(path.join(directory, 'src'));
    const inputs = [
      ...shared,
      path.join(directory, 'tsconfig.json'),
      ...filesUnder(path.join(directory, 'src'), true),
      ...builtBefore.flatMap((before) => filesUnder(path.join(before, 'dist'))),
    ];
    if (!isFresh(directory, sources, inputs)) {
      execFileSync(process.execPath, [tsc, '-p', workspace], { cwd: repositoryRoot, stdio: 'inherit' });
    }
    builtBefore.push(directory);
  }
}

module.exports = { buildWorkspaces };
