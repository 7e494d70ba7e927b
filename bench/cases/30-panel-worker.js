// The anomaly panel's worker in Chromium: 50 series x 10 000 points, features + fit + score (+ explanations of the
// flagged points), measured by the browser test tests/browser/workerThroughput.spec.ts on the built plugin
// (`npm run build` first). No reference implementation runs in a browser; the target is 250 ms.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { entry } = require('../lib/table');

const ROOT = path.join(__dirname, '..', '..');
const RESULT = path.join(ROOT, 'test-results', 'browser', 'worker-throughput.json');

async function run() {
  if (
    !fs.existsSync(path.join(ROOT, 'dist', 'panels', 'anomaly', 'module.js')) ||
    !fs.existsSync('/usr/bin/chromium')
  ) {
    process.stderr.write('bench: panel worker case skipped (needs `npm run build` and /usr/bin/chromium)\n');
    return [];
  }
  fs.rmSync(RESULT, { force: true });
  const result = spawnSync(
    'npx',
    ['playwright', 'test', '-c', 'tests/browser/playwright.config.ts', 'tests/browser/workerThroughput.spec.ts'],
    { cwd: ROOT, encoding: 'utf8' }
  );
  if (result.status !== 0 || !fs.existsSync(RESULT)) {
    throw new Error(`panel worker bench failed:\n${result.stdout}\n${result.stderr}`);
  }
  const { series, pointsPerSeries, elapsedMs } = JSON.parse(fs.readFileSync(RESULT, 'utf8'));
  const pointsPerSecond = (series * pointsPerSeries) / (elapsedMs / 1000);
  process.stderr.write(
    `bench: panel worker ${series} x ${pointsPerSeries} points in ${elapsedMs} ms (target 250 ms)\n`
  );
  return [
    entry(
      `panel worker ${series}x${pointsPerSeries} in Chromium (points/s; ${elapsedMs} ms)`,
      pointsPerSecond,
      null,
      null
    ),
  ];
}

module.exports = { run };
