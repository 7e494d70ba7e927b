// What a second core adds on this machine, for the work our parallel paths split (the CLI's scoring thread and its
// forest helper, the panel's two workers, the proxy's pool): the same work in one process alone, then in two
// processes at once. Ratio = both processes' rows per second together over one process alone: 2.00x is two free
// cores; ~1.2x is what two hyperthreads of one core (or a core another tenant keeps busy) give a memory-heavy loop.
//
// Two kinds of work, so the figure says why: the Isolation Forest walk (loads from the scoring layout, the engine's
// hot loop) and a loop of integer adds that touches no memory (it scales on hyperthreads too).
const { spawn } = require('child_process');
const path = require('path');
const { entry } = require('../lib/table');
const { median } = require('../lib/timing');

const ENGINE = path.join(__dirname, '..', '..', 'pkg', 'engine', 'dist');

// Each child prints the seconds its timed part took. Training happens before the clock starts.
const FOREST_ROWS = 1_000_000;
const FOREST = `
const { AnomalyDetector, createRandom } = require(${JSON.stringify(ENGINE)});
const random = createRandom(1);
const rows = 200000;
const timestamps = Float64Array.from({ length: rows }, (_, i) => i * 1000);
const values = Float64Array.from({ length: rows }, () => random.nextFloat());
const table = (n) => ({ timestamps: timestamps.subarray(0, n), columns: [{ name: 'a', values: values.subarray(0, n) }] });
const detector = AnomalyDetector.train(table(5000), { features: { seasonality: false } });
detector.score(table(rows));
const start = process.hrtime.bigint();
for (let k = 0; k < ${FOREST_ROWS} / rows; k++) detector.score(table(rows));
console.log(Number(process.hrtime.bigint() - start) / 1e9);
`;
const ADDS = 1_000_000_000;
const INTEGER = `
let x = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < ${ADDS}; i++) x = (x + i * 7) | 0;
console.log(Number(process.hrtime.bigint() - start) / 1e9, x & 1);
`;

function runChild(source) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(Number(out.trim().split(/\s+/)[0])) : reject(new Error(`exit ${code}`))
    );
  });
}

/** Seconds of one process alone, and of the slower of two at once: the median of three rounds each. */
async function alongside(source) {
  const alone = [];
  const together = [];
  for (let round = 0; round < 3; round++) {
    alone.push(await runChild(source));
    together.push(Math.max(...(await Promise.all([runChild(source), runChild(source)]))));
  }
  return { alone: median(alone), together: median(together) };
}

async function run() {
  const forest = await alongside(FOREST);
  const integer = await alongside(INTEGER);
  return [
    entry(
      'machine: forest scoring (engine, 1M rows x 7 features), 2 processes at once, together (rows/s)',
      (2 * FOREST_ROWS) / forest.together,
      '1 process alone',
      FOREST_ROWS / forest.alone
    ),
    entry(
      'machine: integer adds touching no memory, 2 processes at once, together (adds/s)',
      (2 * ADDS) / integer.together,
      '1 process alone',
      ADDS / integer.alone
    ),
  ];
}

module.exports = { run };
