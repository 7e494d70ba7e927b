// The anomaly panel's whole cycle in Chromium (issue 11): from new props to marks drawn, on the built panel
// (`npm run build` first), measured by tests/browser/panelResponsiveness.spec.ts (worker cases): 50 series x 10 000
// points, 1 000 000 points, and a refresh adding one point per series (models cached, only new rows scored). The
// spec writes test-results/browser/responsiveness.json; this case turns it into rows (points per second of the
// cycle, the cycle's ms and the longest main-thread task in the row's name: its wall time, as the long-task observer
// sees it, the longest task's CPU time, the work itself, from a Chromium trace, and the longest task's CPU time
// without the garbage collections V8 ran in it). Targets: 50x10k <= 1 s, 1M <= 3 s, refresh <= 50 ms (2-core
// machine).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { entry } = require('../lib/table');

const ROOT = path.join(__dirname, '..', '..');
const RESULT = path.join(ROOT, 'test-results', 'browser', 'responsiveness.json');

async function run() {
  if (
    !fs.existsSync(path.join(ROOT, 'dist', 'panels', 'anomaly', 'module.js')) ||
    !fs.existsSync('/usr/bin/chromium')
  ) {
    process.stderr.write('bench: panel cycle case skipped (needs `npm run build` and /usr/bin/chromium)\n');
    return [];
  }
  fs.rmSync(RESULT, { force: true });
  spawnSync(
    'npx',
    [
      'playwright',
      'test',
      '-c',
      'tests/browser/playwright.config.ts',
      'tests/browser/panelResponsiveness.spec.ts',
      '-g',
      'worker',
    ],
    { cwd: ROOT, encoding: 'utf8' }
  );
  if (!fs.existsSync(RESULT)) {
    throw new Error('panel cycle bench: the browser test wrote no results');
  }
  const figures = JSON.parse(fs.readFileSync(RESULT, 'utf8'));
  const rows = [
    ['50x10000 worker', 500_000, '<= 1000 ms'],
    ['1000000 worker', 1_000_000, '<= 3000 ms'],
    ['50x10000 worker refresh +1 point', 50, '<= 50 ms'],
  ];
  return rows
    .filter(([name]) => figures[name])
    .map(([name, points, target]) => {
      const f = figures[name];
      process.stderr.write(
        `bench: panel ${name}: ${f.cycleMs} ms (target ${target}), longest task ${f.longestLongTaskMs} ms wall, ` +
          `${f.longestTaskCpuMs} ms CPU, ${f.longestTaskWithoutGcCpuMs} ms CPU without GC\n`
      );
      return entry(
        `panel cycle ${name}, props to marks in Chromium (points/s; ${f.cycleMs} ms, target ${target}; longest main-thread task ${f.longestLongTaskMs} ms wall, ${f.longestTaskCpuMs} ms CPU, ${f.longestTaskWithoutGcCpuMs} ms CPU without GC)`,
        points / (f.cycleMs / 1000),
        null,
        null,
        ' points/s'
      );
    });
}

module.exports = { run };
