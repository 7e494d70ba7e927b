// Online scoring (OnlineDetector: forest score + trailing deviation + calibration, refits included) on 1M rows,
// in the engine and end to end through the CLI (`detect --online`, CSV in, scores.csv out). The engine rows'
// reference is batch scoring of the same rows by the same forest (train on the warm-up rows, score all): what
// online mode costs on top. The CLI row's reference is the CLI in batch mode on the same file.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { AnomalyDetector, OnlineDetector, createRandom } = require('../../pkg/engine/dist');
const { entry } = require('../lib/table');
const { medianSeconds } = require('../lib/timing');

const ROWS = 1_000_000;
const WARMUP = 5000;
const REFIT_EVERY = 100_000;
const CLI_ROWS = 200_000;

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

function cliRows() {
  const data = table(CLI_ROWS, 6);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-online-'));
  const input = path.join(dir, 'input.csv');
  const lines = ['timestamp,' + data.columns.map((c) => c.name).join(',')];
  for (let r = 0; r < CLI_ROWS; r++) {
    lines.push(`${data.timestamps[r]},${data.columns.map((c) => c.values[r].toFixed(3)).join(',')}`);
  }
  fs.writeFileSync(input, lines.join('\n') + '\n');
  const cli = path.join(__dirname, '..', '..', 'pkg', 'cli', 'bin', 'telemetry-analyzer.js');
  const detect =
    (...flags) =>
    () =>
      execFileSync('node', [cli, 'detect', '-q', '--input', input, '--output-dir', path.join(dir, 'out'), ...flags]);
  try {
    const online = medianSeconds(detect('--online', '--warmup', String(WARMUP), '--refit-every', '50000'), {
      repeats: 1,
    });
    const batch = medianSeconds(detect('--train-fraction', String(WARMUP / CLI_ROWS)), { repeats: 1 });
    return entry(
      'CLI detect --online, 200k rows x 6 metrics CSV to scores.csv (rows/s)',
      CLI_ROWS / online,
      'CLI detect (batch), same file',
      CLI_ROWS / batch
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run() {
  return [onlineRows(1), onlineRows(6), cliRows()];
}

module.exports = { run };
