// Isolation Forest fit and score: 100 trees x max_samples 256 on 100k x 6 and 1M x 6 float32 rows,
// against scikit-learn (same data, same parameters) and the npm package `isolation-forest`.
const { IsolationForest } = require('../../pkg/engine/dist');
const { gaussianMatrix } = require('../lib/data');
const { entry } = require('../lib/table');
const { medianSeconds } = require('../lib/timing');
const { hasSklearn, writeTemp, runReference } = require('../lib/reference');

// Reference scoring is slow (~76k points/s for sklearn): its rate is measured on the first rows only.
const REFERENCE_SCORE_ROWS = 100000;
const NPM_PACKAGE_ROWS = 20000;

function measureOurs(matrix) {
  let forest;
  const fitSeconds = medianSeconds(
    () => {
      forest = new IsolationForest({ nEstimators: 100, maxSamples: 256, seed: 0 }).fit(matrix);
    },
    { repeats: 7 }
  );
  const out = new Float64Array(matrix.rows);
  const scoreSeconds = medianSeconds(() => forest.anomalyScores(matrix, out), { repeats: 3 });
  return { fitPerSecond: 1 / fitSeconds, scorePerSecond: matrix.rows / scoreSeconds };
}

function measureNpmPackage(matrix) {
  const { IsolationForest: NpmIsolationForest } = require('isolation-forest');
  const objects = [];
  for (let r = 0; r < Math.min(matrix.rows, NPM_PACKAGE_ROWS); r++) {
    const row = {};
    for (let c = 0; c < matrix.cols; c++) {
      row[`f${c}`] = matrix.values[r * matrix.cols + c];
    }
    objects.push(row);
  }
  const model = new NpmIsolationForest(100, 256);
  const fitSeconds = medianSeconds(() => model.fit(objects), { repeats: 1 });
  const scoreSeconds = medianSeconds(() => model.predict(objects), { repeats: 1 });
  return { fitPerSecond: 1 / fitSeconds, scorePerSecond: objects.length / scoreSeconds };
}

async function run() {
  const entries = [];
  const sklearn = hasSklearn();
  for (const rows of [100000, 1000000]) {
    const label = rows >= 1e6 ? '1M' : `${rows / 1000}k`;
    const matrix = gaussianMatrix(rows, 6, 11);
    const ours = measureOurs(matrix);
    let reference = null;
    if (sklearn) {
      const file = writeTemp(matrix.values, 'f32');
      reference = runReference(['forest', file, rows, 6, Math.min(rows, REFERENCE_SCORE_ROWS)]);
    }
    entries.push(
      entry(`forest fit ${label}x6 (fits/s)`, ours.fitPerSecond, 'sklearn 1.2.1', reference && 1 / reference.fit_s)
    );
    entries.push(
      entry(
        `forest score ${label}x6 (points/s)`,
        ours.scorePerSecond,
        'sklearn 1.2.1',
        reference && reference.score_points_per_s
      )
    );
    if (rows === 100000) {
      const npm = measureNpmPackage(matrix);
      entries.push(
        entry(
          `forest fit ${NPM_PACKAGE_ROWS / 1000}k x6 vs npm (fits/s)`,
          ours.fitPerSecond,
          'npm isolation-forest 0.0.9',
          npm.fitPerSecond
        )
      );
      entries.push(
        entry(
          `forest score ${label}x6 vs npm (points/s)`,
          ours.scorePerSecond,
          'npm isolation-forest 0.0.9',
          npm.scorePerSecond
        )
      );
    }
  }
  return entries;
}

module.exports = { run };
