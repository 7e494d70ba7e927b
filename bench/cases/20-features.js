// Feature engineering on 1M rows x 6 columns (value, lag 1, diff 1, rolling mean/std/min/max over 12 points)
// against pandas' shift/diff/rolling on the same data.
const { buildFeatures, resolveFeatureOptions, createRandom } = require('../../pkg/engine/dist');
const { entry } = require('../lib/table');
const { medianSeconds } = require('../lib/timing');
const { hasSklearn, writeTemp, runReference } = require('../lib/reference');

const ROWS = 1000000;
const COLS = 6;
const WINDOW = 12;

function telemetryTable() {
  const random = createRandom(5);
  const timestamps = new Float64Array(ROWS);
  const rowMajor = new Float64Array(ROWS * COLS);
  const columns = [];
  for (let c = 0; c < COLS; c++) {
    columns.push({ name: `metric_${c}`, values: new Float64Array(ROWS) });
  }
  for (let r = 0; r < ROWS; r++) {
    timestamps[r] = 1.7e12 + r * 60000;
    for (let c = 0; c < COLS; c++) {
      const value = 100 * (c + 1) + 10 * random.nextFloat();
      columns[c].values[r] = value;
      rowMajor[r * COLS + c] = value;
    }
  }
  return { table: { timestamps, columns }, rowMajor };
}

async function run() {
  const { table, rowMajor } = telemetryTable();
  const options = resolveFeatureOptions({ window: WINDOW, lags: 1, seasonality: false });
  const seconds = medianSeconds(() => buildFeatures(table, options), { repeats: 3 });
  const ours = (ROWS * COLS) / seconds;
  let reference = null;
  if (hasSklearn()) {
    reference = runReference(['features', writeTemp(rowMajor, 'f64'), ROWS, COLS, WINDOW]).rows_per_s_per_column;
  }
  return [entry(`features 1M x ${COLS} (rows/s per column)`, ours, 'pandas 1.5.3', reference)];
}

module.exports = { run };
