// The CLI's threads hand their arrays over by copy, never by transfer (docs/performance.md, "Threads that never
// detach"): the first ArrayBuffer detached in a thread makes V8 give up a promise its compiled typed-array code relies
// on (the protector "ArrayBufferDetaching"), and from then on every typed-array access of that thread checks for a
// detached buffer; the forest walk ran ~30 % slower. V8 says when it gives the promise up
// (--trace-protector-invalidation): a run on the scoring worker and on the forest helper must not.
import { spawnSync } from 'child_process';
import { rmSync } from 'fs';
import { join } from 'path';
import { WORKER_MIN_ROWS } from '../dist/pipeline/scoringThread';
import { CLI, REPO_ROOT, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

describe('the threads of a run', () => {
  const dir = tempDir();
  // Days at one-minute steps: enough rows for the run to score on a worker, in batches large enough for the forest
  // helper to take half of each walk.
  const days = Math.ceil((1.5 * WORKER_MIN_ROWS) / 1440);
  const input = writeInput(dir, 'input.csv', toCsv(smallTelemetryRows({ days })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['the scoring worker', 2],
    ['the scoring worker and the forest helper', 3],
  ])('never detach an ArrayBuffer (%s)', (_, threads) => {
    const args = ['--trace-protector-invalidation', CLI, 'detect', '-q', '--online', '--warmup', '1440'];
    args.push('--refit-every', '4000', '--threads', String(threads), '--input', input);
    args.push('--output-dir', join(dir, `out-${threads}`));
    const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('ArrayBufferDetaching');
  });

  it('would see a detach: V8 traces one in this Node (what the cases above look for)', () => {
    const detach =
      'const b = new ArrayBuffer(8); new Uint8Array(b); new Float64Array(b); structuredClone(b, { transfer: [b] })';
    const run = spawnSync(process.execPath, ['--trace-protector-invalidation', '-e', detach], { encoding: 'utf8' });
    expect(run.stdout).toContain('ArrayBufferDetaching');
  });
});
