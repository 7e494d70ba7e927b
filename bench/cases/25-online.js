// Online scoring (OnlineDetector: forest score + trailing deviation + calibration, refits included) on 1M rows,
// in the engine and end to end through the CLI (`detect --online`, CSV in, every output file out). The engine rows'
// reference is batch scoring of the same rows by the same forest (train on the warm-up rows, score all): what
// online mode costs on top. The CLI rows' references are the engine alone and the CLI on one thread.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { AnomalyDetector, OnlineDetector, createRandom } = require('../../pkg/engine/dist');
const { entry } = require('../lib/table');
const { alternatingMedianSeconds, medianSeconds } = require('../lib/timing');

const ROWS = 1_000_000;
const WARMUP = 5000;
const REFIT_EVERY = 100_000;

function table(rows, cols) {
  const random = createRandom(9);
  const timestamps = Float64Array.from({ length: rows }, (_, r) => 1.7e12 + r * 15_000);
  const columns = Array.from({ length: cols }, (_, c) => ({
    name: `metric_${c}`,
    values: Float64Array.from(timestamps, (_, r) => 100 * (c + 1) + 10 * Math.sin(r / 500) + 5 * random.nextFloat()),
  }));
  return { timestamps, columns };
}

function slice(data, from, to) {
  return {
    timestamps: data.timestamps.subarray(from, to),
    columns: data.columns.map(({ name, values }) => ({ name, values: values.subarray(from, to) })),
  };
}

function onlineRows(cols) {
  const data = table(ROWS, cols);
  const names = data.columns.map((c) => c.name);
  const options = { forest: { contamination: 0.01 }, features: { seasonality: false } };
  const online = medianSeconds(
    () => {
      const detector = new OnlineDetector(names, options, { warmup: WARMUP, refitEvery: REFIT_EVERY });
      for (let from = 0; from < ROWS; from += 50_000) {
        detector.push(slice(data, from, from + 50_000));
      }
    },
    { repeats: 3 }
  );
  const batch = medianSeconds(() => AnomalyDetector.train(slice(data, 0, WARMUP), options).score(data), { repeats: 3 });
  return entry(
    `online scoring 1M x ${cols} metric${cols > 1 ? 's' : ''} (${7 * cols} features), refit every 100k (rows/s)`,
    ROWS / online,
    'batch scoring, same forest',
    ROWS / batch
  );
}

/**
 * The CLI end to end: CSV in, scores.csv, anomalies.csv, summary and report out, online with refits. Reference: the
 * engine's OnlineDetector alone on the same rows in this run (the CLI's ceiling), and the CLI on one thread.
 */
function cliRows(cols) {
  const data = table(ROWS, cols);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-online-'));
  const input = path.join(dir, 'input.csv');
  const lines = ['timestamp,' + data.columns.map((c) => c.name).join(',')];
  for (let r = 0; r < ROWS; r++) {
    lines.push(`${data.timestamps[r]},${data.columns.map((c) => c.values[r].toFixed(3)).join(',')}`);
  }
  fs.writeFileSync(input, lines.join('\n') + '\n');
  const cli = path.join(__dirname, '..', '..', 'pkg', 'cli', 'bin', 'telemetry-analyzer.js');
  const detect = (threads) => () =>
    execFileSync('node', [
      cli,
      'detect',
      '-q',
      '--online',
      '--warmup',
      String(WARMUP),
      '--refit-every',
      String(REFIT_EVERY),
      '--no-seasonality',
      '--threads',
      String(threads),
      '--input',
      input,
      '--output-dir',
      path.join(dir, 'out'),
    ]);
  try {
    const names = data.columns.map((c) => c.name);
    const options = { forest: { contamination: 0.01 }, features: { seasonality: false } };
    const engine = medianSeconds(
      () => new OnlineDetector(names, options, { warmup: WARMUP, refitEvery: REFIT_EVERY }).push(data),
      { repeats: 1 }
    );
    // Medians of three, the two thread counts taking turns: one run of ~2 s moves by ±8 % on a shared machine.
    const [two, one] = alternatingMedianSeconds([detect(2), detect(1)], { repeats: 3 });
    const what = `CLI detect --online, 1M rows x ${cols} metric${cols > 1 ? 's' : ''} CSV, refit every 100k`;
    return [
      entry(`${what}, 2 threads (rows/s)`, ROWS / two, 'engine OnlineDetector alone, same rows', ROWS / engine),
      entry(`${what}, 2 threads (rows/s)`, ROWS / two, 'the same CLI run on 1 thread', ROWS / one),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run() {
  return [onlineRows(1), onlineRows(6), ...cliRows(1), ...cliRows(6)];
}

module.exports = { run };
