/**
 * scripts/ci.sh's step runner (scripts/ci-steps.sh): every step runs after a failure, the closing line keeps the
 * format `ci: N passed, N failed` (jest and Playwright counts, plus one failure per failed step that counted none),
 * the exit status is non-zero when any step failed; and the GitHub workflow runs that same script.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readJson, repoPath } from './stackFiles';

function runSteps(steps: string): { status: number | null; lines: string[] } {
  const script = `set -uo pipefail\nsource scripts/ci-steps.sh\n${steps}\nfinish`;
  const result = spawnSync('bash', ['-c', script], { cwd: repoPath('.'), encoding: 'utf8' });
  return { status: result.status, lines: result.stdout.trimEnd().split('\n') };
}

describe('scripts/ci.sh step runner', () => {
  it('runs every step after failures, lists them, counts them in the totals and exits non-zero', () => {
    const { status, lines } = runSteps(
      [
        `run "lint" bash -c 'echo "1 error"; exit 1'`,
        `run "unit" bash -c 'printf "Tests:       2 failed, 5 passed, 7 total\\n"; exit 1'`,
        `run "browser" bash -c 'printf "  3 passed (4.0s)\\n"'`,
        `run "integration" bash -c 'printf "Tests:       1 skipped, 4 passed, 5 total\\n"'`,
        `run "crash" bash -c 'exit 3'`,
      ].join('\n')
    );
    expect(lines).toContain('=== FAILED: lint (exit 1)');
    expect(lines).toContain('=== FAILED: crash (exit 3)');
    expect(lines.slice(-2)).toEqual(['ci: failed steps: lint;unit;crash', 'ci: 12 passed, 4 failed']);
    expect(status).not.toBe(0);
  });

  it('ends with the totals and exit status 0 when every step passed', () => {
    const { status, lines } = runSteps(
      `run "unit" bash -c 'printf "Tests:       6 passed, 6 total\\n"'\nrun "browser" bash -c 'printf "  2 passed (1.0s)\\n"'`
    );
    expect(lines.at(-1)).toBe('ci: 8 passed, 0 failed');
    expect(status).toBe(0);
  });

  it('runs a step started beside the next ones at the same time as them, and shows its output when joined', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-steps-'));
    try {
      // The step beside waits for a file the next step writes: it passes only if both run at once.
      const { status, lines } = runSteps(
        [
          `beside "download" bash -c 'for i in $(seq 600); do [ -f ${dir}/written ] && { echo "fetched"; exit 0; }; sleep 0.1; done; exit 1'`,
          `run "build" bash -c 'touch ${dir}/written; printf "Tests:       2 passed, 2 total\\n"'`,
          `join "download"`,
          `run "after" bash -c 'echo later'`,
        ].join('\n')
      );
      const joined = lines.findIndex((line) => /^=== download: joined \(\d+s\)$/.test(line));
      // Bash's SECONDS counts whole seconds of the clock: a step may start at 1s.
      const started = lines.findIndex((line) => /^=== download: started beside the next steps \(\d+s\)$/.test(line));
      const build = lines.findIndex((line) => /^=== build \(\d+s\)$/.test(line));
      expect(started).toBeGreaterThanOrEqual(0);
      expect(build).toBeGreaterThan(started);
      expect(joined).toBeGreaterThan(build);
      expect(lines[joined + 1]).toBe('fetched');
      expect(lines.indexOf('later')).toBeGreaterThan(joined);
      expect(lines.at(-1)).toBe('ci: 2 passed, 0 failed');
      expect(status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('joins at the end a step started beside and never joined, and counts its failure', () => {
    const { status, lines } = runSteps(
      [
        `beside "lint" bash -c 'echo "2 problems"; exit 1'`,
        `run "unit" bash -c 'printf "Tests:       3 passed, 3 total\\n"'`,
      ].join('\n')
    );
    const joined = lines.findIndex((line) => line.startsWith('=== lint: joined'));
    const unit = lines.findIndex((line) => /^=== unit \(\d+s\)$/.test(line));
    expect(unit).toBeGreaterThanOrEqual(0);
    expect(joined).toBeGreaterThan(unit);
    expect(lines.slice(joined + 1, joined + 3)).toEqual(['2 problems', '=== FAILED: lint (exit 1)']);
    expect(lines.slice(-2)).toEqual(['ci: failed steps: lint', 'ci: 3 passed, 1 failed']);
    expect(status).not.toBe(0);
  });

  it('is what npm run ci and the GitHub workflow run', () => {
    expect(readJson('package.json').scripts.ci).toBe('bash scripts/ci.sh');
    const workflow = parse(readFileSync(repoPath('.github/workflows/ci.yml'), 'utf8'));
    const runs = (workflow.jobs.build.steps as Array<{ run?: string }>).map((step) => step.run);
    expect(runs).toContain('npm run ci');
  });
});
