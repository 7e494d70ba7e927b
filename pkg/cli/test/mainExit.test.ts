// How the CLI's process ends (the built entry point, as bin/telemetry-analyzer.js runs it).
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const dist = join(__dirname, '..', 'dist');

/** The CLI's entry point in a process of its own, with a command whose run is `parseAsync` (JavaScript source). */
function runWithCommand(parseAsync: string) {
  const script = [
    `const program = require(${JSON.stringify(join(dist, 'program.js'))});`,
    `program.buildProgram = () => ({ parseAsync: ${parseAsync} });`,
    `require(${JSON.stringify(join(dist, 'main.js'))}).run();`,
  ].join('\n');
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
}

describe('the CLI process', () => {
  it('in a clone whose workspaces were never built, says to build them (exit 1), without a stack trace', () => {
    // The bin script as a clone has it, with no dist/ beside it (`npm ci` alone compiles nothing).
    const clone = mkdtempSync(join(tmpdir(), 'cli-unbuilt-'));
    mkdirSync(join(clone, 'bin'));
    copyFileSync(join(__dirname, '..', 'bin', 'telemetry-analyzer.js'), join(clone, 'bin', 'telemetry-analyzer.js'));
    const run = spawnSync(process.execPath, [join(clone, 'bin', 'telemetry-analyzer.js'), '--version'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('telemetry-analyzer: not built yet: run `npm run build:pkg` in the repository first\n');
    expect(run.status).toBe(1);
  });

  it('ends with exit 1 and says so when a command is left waiting for something that never comes (Node would exit 0)', () => {
    // A command whose promise never settles, once nothing else keeps the process alive: what a scoring thread that
    // died unheard did to detect.
    const run = runWithCommand('() => new Promise(() => undefined)');
    expect(run.stderr).toMatch(/^telemetry-analyzer: internal error: the command stopped before it finished$/m);
    expect(run.status).toBe(1);
  });

  it('a command that finishes ends with its own exit code, without that message', () => {
    const run = runWithCommand('() => new Promise((resolve) => setTimeout(resolve, 10))');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
