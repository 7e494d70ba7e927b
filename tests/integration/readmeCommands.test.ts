/**
 * Every command the README shows works, in the order it shows them, for someone starting from a fresh clone:
 *  - npm commands name scripts that exist, and come after `npm ci`;
 *  - `npx telemetry-analyzer …` needs the workspaces built (`npm run build:pkg`, which `npm run demo` and
 *    `npm run ci` run): it must come after one of those;
 *  - each `npx telemetry-analyzer …` line then runs for real (the built CLI, in an empty directory holding the files
 *    the README names: the bundled sample at data/sample_telemetry.csv), with the block's shell variables
 *    (`CSV=…`) expanded, and exits 0; `tail [-n +K] -f` becomes reading the file; `serve --config <file>` is checked by
 *    loading that file with the proxy's own config reader (the proxy would listen forever).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@telemetry-analyzer/proxy';
import { readJson, repoPath } from './stackFiles';

const CLI = repoPath('pkg/cli/bin/telemetry-analyzer.js');
const scripts = readJson('package.json').scripts as Record<string, string>;

/** The README's shell code blocks, one entry per command (comments dropped, `&&` chains split), in order. */
function readmeCommands(): string[] {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```(?:bash|sh|shell)\n([\s\S]*?)^```/gm)].map((match) => match[1]);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '')
    .flatMap((line) => line.split(/\s*&&\s*/));
}

/** What a build step leaves behind. */
const BUILDS_WORKSPACES = ['build:pkg', 'demo', 'ci', 'bench'];

describe('README commands, in order, on a fresh clone', () => {
  const commands = readmeCommands();

  it('shows commands', () => {
    expect(commands.length).toBeGreaterThan(5);
  });

  it('runs npm scripts that exist, after npm ci, and the CLI only once the workspaces are built', () => {
    let installed = false;
    let workspacesBuilt = false;
    const problems: string[] = [];
    for (const command of commands) {
      for (const part of command.split(/\s*\|\s*/)) {
        const npmRun = /^npm run (\S+)/.exec(part);
        if (part === 'npm ci' || part === 'npm install') {
          installed = true;
        } else if (npmRun) {
          if (!installed) {
            problems.push(`${part}: before npm ci`);
          }
          if (!(npmRun[1] in scripts)) {
            problems.push(`${part}: no such script in package.json`);
          }
          workspacesBuilt ||= BUILDS_WORKSPACES.includes(npmRun[1]);
        } else if (/^npx telemetry-analyzer\b/.test(part) && !workspacesBuilt) {
          problems.push(`${part}: the CLI is not built yet (npm run build:pkg comes later or never)`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  describe('each CLI line runs', () => {
    const work = mkdtempSync(join(tmpdir(), 'readme-'));
    const sample = repoPath('data/sample_telemetry.csv');

    beforeAll(() => {
      mkdirSync(join(work, 'data'));
      copyFileSync(sample, join(work, 'data', 'sample_telemetry.csv'));
    });

    /** The blocks' shell variables (`CSV=data/sample_telemetry.csv`), expanded in the lines below them. */
    const variables = new Map(
      commands.flatMap((command) => {
        const assignment = /^([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(command);
        return assignment ? [[assignment[1], assignment[2]] as const] : [];
      })
    );
    const expand = (command: string) =>
      command.replace(/\$([A-Z_][A-Z0-9_]*)/g, (whole, name: string) => variables.get(name) ?? whole);

    const cliLines = commands.filter((command) => /\bnpx telemetry-analyzer\b/.test(command));

    it.each(cliLines)('%s', (command) => {
      const serve = /^npx telemetry-analyzer serve --config (\S+)$/.exec(command);
      if (serve) {
        // Relative to the clone, where the README's reader is.
        expect(existsSync(repoPath(serve[1]))).toBe(true);
        expect(() => loadConfig(repoPath(serve[1]))).not.toThrow();
        return;
      }
      const piped = /^tail (?:-n \+(\d+) )?-f (\S+) \| (.*)$/.exec(expand(command));
      const cliPart = (piped ? piped[3] : expand(command)).replace(/^npx telemetry-analyzer\s*/, '');
      const args = cliPart.split(/\s+/).filter((arg) => arg !== '');
      // `tail -n +K` starts at line K (1: the whole file); plain `tail -f` at its last 10 lines.
      const tailed = piped ? readFileSync(join(work, piped[2]), 'utf8').trimEnd().split('\n') : undefined;
      const input = piped && tailed ? tailed.slice(piped[1] ? Number(piped[1]) - 1 : -10).join('\n') + '\n' : undefined;
      const run = spawnSync(process.execPath, [CLI, ...args], { cwd: work, input, encoding: 'utf8' });
      expect({ command, status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({
        command,
        status: 0,
        stderr: '',
      });
    });
  });
});
