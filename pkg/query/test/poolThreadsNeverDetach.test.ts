// The engine pool's threads answer with copies, never transfers (docs/performance.md, "Threads that never detach"):
// the first ArrayBuffer a thread detaches makes V8 give up the promise its compiled typed-array code relies on (the
// protector "ArrayBufferDetaching"), and the thread then trains and scores more slowly for the rest of its life. V8
// says when it gives the promise up (--trace-protector-invalidation). The answer is given as text here, so that this
// thread detaches nothing either (the event loop transfers the chunks it read from a socket to the pool:
// trainingPool.ts).
import { spawnSync } from 'child_process';
import { join } from 'path';

const SOURCES = join(__dirname, '../src/training');

const SCRIPT = `
const { TrainingPool } = require(${JSON.stringify(join(SOURCES, 'trainingPool.ts'))});
const values = Array.from({ length: 600 }, (_, i) => [1.7e9 + 60 * i, String(10 + Math.sin(i / 9))]);
const body = JSON.stringify({
  status: 'success',
  data: { resultType: 'matrix', result: [{ metric: { __name__: 'cpu' }, values }] },
});
const options = { features: { window: 6, lags: 1, seasonality: false }, forest: { nEstimators: 30, seed: 4 } };
(async () => {
  const pool = new TrainingPool(1);
  const [series] = await pool.parseMatrix(body);
  const table = { timestamps: series.timestamps, columns: [{ name: 'cpu', values: series.values }] };
  await pool.train(table, options, true);
  await pool.close();
  console.log('rows', series.timestamps.length);
})();
`;

function traced(...args: string[]) {
  return spawnSync(process.execPath, ['--trace-protector-invalidation', ...args], { encoding: 'utf8' });
}

it('V8 traces the detaching promise given up (what the next test looks for)', () => {
  const detach =
    'const b = new ArrayBuffer(8); new Uint8Array(b); new Float64Array(b); structuredClone(b, { transfer: [b] })';
  expect(traced('-e', detach).stdout).toContain('ArrayBufferDetaching');
});

it("the engine pool's threads never detach an ArrayBuffer (a parse and a training)", () => {
  const run = traced('--require', join(SOURCES, 'runTypeScriptSources.js'), '-e', SCRIPT);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('rows 600');
  expect(run.stdout).not.toContain('ArrayBufferDetaching');
});
