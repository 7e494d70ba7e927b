// The anomaly panel's whole cycle in Chromium (issue 11): from new props to marks drawn, on the built panel
// (`npm run build` first), measured by tests/browser/panelResponsiveness.spec.ts (worker cases): 50 series x 10 000
// points, 1 000 000 points, and a refresh adding one point per series (models cached, only new rows scored). The
// spec writes test-results/browser/responsiveness.json; this case turns it into rows (points per second of the
// cycle, the cycle's ms and the longest main-thread task in the row's name: its wall time, as the long-task observer
// sees it, the longest task's CPU time, the work itself, from a Chromium trace, and the longest task's CPU time
// without the garbage collections V8 ran in it). Targets: 50x10k <= 1 s, 1M <= 3 s, refresh <= 50 ms (2-core
// machine). Each case also gets a row of the scoring workers' CPU time over the cycle (and their collections and the
// CPU time of V8's optimising compilers in the progress line), from the same trace: the work, where the wall time
// also tells how busy the machine was.
//
// The reference is an earlier build of the panel measured in the same run (the machine's load changes from minute
// to minute): the commit PANEL_BASELINE_REF (default below; PANEL_BASELINE_REF=none skips it) is checked out into
// a git worktree under the system's temp directory (never the working tree), built there into a directory of its
// own, and served by the same browser test in place of dist/ (BROWSER_TEST_PLUGIN_DIST). Its build is kept between
// runs. The runs alternate, ours, the reference, ours again, and ours is the mean of its two runs: a busy minute
// on either side of the reference's run counts against ours as much as for it.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { entry } = require('../lib/table');
const { median } = require('../lib/timing');

const ROOT = path.join(__dirname, '..', '..');
const RESULT = path.join(ROOT, 'test-results', 'browser', 'responsiveness.json');
/** The panel before issue 11's refresh work (the chart on uPlot, the work in steps): what this case compares with. */
const DEFAULT_BASELINE_REF = 'a300ee2';

const ROWS = [
  ['50x10000 worker', 500_000, '<= 1000 ms'],
  ['1000000 worker', 1_000_000, '<= 3000 ms'],
  ['50x10000 worker refresh +1 point', 50, '<= 50 ms'],
  // Refreshes 2 to 5 of the spec, each one step later than the one before: the median of their times per run.
  ['50x10000 worker refresh +1 point, warm', 50, '<= 50 ms'],
  // Refreshes 6 to 12: the code of the refresh compiled (a dashboard refreshing all day); the median per run.
  ['50x10000 worker refresh +1 point, steady', 50, '<= 50 ms'],
  // Refreshes 13 to 19, timed without the Chromium trace the rows above are measured in (it costs the page time of
  // its own): the cycle as a user meets it; no CPU figures.
  ['50x10000 worker refresh +1 point, steady untraced', 50, '<= 50 ms'],
];

/** A row's figure in one run's results; a warm-refresh record's times are the median of its refreshes. */
function figureOf(results, name) {
  const f = results[name];
  if (!f || f.cyclesMs === undefined) {
    return f;
  }
  return {
    ...f,
    cycleMs: median(f.cyclesMs),
    readyMs: median(f.readiesMs),
    workerCpuMs: f.workerCpusMs ? median(f.workerCpusMs) : undefined,
    workerCollections: f.workerCollectionsEach ? median(f.workerCollectionsEach) : undefined,
    compileCpuMs: f.compileCpusMs ? median(f.compileCpusMs) : undefined,
  };
}

/** The longest main-thread task of a row's figure: wall time, and its CPU time when the run was traced. */
function longestTask(f) {
  const wall = `${f.longestLongTaskMs} ms wall`;
  return f.longestTaskCpuMs === undefined
    ? `${wall} (untraced: no CPU figures)`
    : `${wall}, ${f.longestTaskCpuMs} ms CPU, ${f.longestTaskWithoutGcCpuMs} ms CPU without GC`;
}

function git(args) {
  const result = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  }
  return result.stdout.trim();
}

/**
 * Builds the panel of `ref` outside the working tree: a detached worktree, node_modules shared by a symlink, the
 * webpack config rewritten so that neither its output nor the worker bundle it inlines lands in a shared place.
 * Returns the built plugin's directory.
 */
function buildBaseline(ref) {
  const sha = git(['rev-parse', '--short=12', `${ref}^{commit}`]);
  const tree = path.join(os.tmpdir(), `telemetry-analyzer-panel-${sha}`);
  const out = `${tree}-dist`;
  if (fs.existsSync(path.join(out, 'panels', 'anomaly', 'module.js'))) {
    return { sha, dir: out };
  }
  if (!fs.existsSync(tree)) {
    git(['worktree', 'add', '--detach', tree, sha]);
  }
  if (!fs.existsSync(path.join(tree, 'node_modules'))) {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  }
  fs.mkdirSync(path.join(tree, 'dist'), { recursive: true });
  const config = fs
    .readFileSync(path.join(tree, 'webpack.config.ts'), 'utf8')
    .replace(
      "path.resolve(__dirname, 'node_modules/.cache/telemetry-analyzer-worker')",
      JSON.stringify(`${out}-worker`)
    )
    .replace("name: 'plugin',", `name: 'plugin', output: { path: ${JSON.stringify(out)} },`);
  if (!config.includes(`${out}-worker`) || !config.includes(`path: ${JSON.stringify(out)}`)) {
    throw new Error(`panel baseline ${sha}: its webpack.config.ts is not laid out as this bench expects`);
  }
  const configFile = path.join(tree, 'webpack.baseline.config.ts');
  fs.writeFileSync(configFile, config);
  const built = spawnSync('npx', ['webpack', '-c', configFile, '--env', 'production'], { cwd: tree, encoding: 'utf8' });
  if (!fs.existsSync(path.join(out, 'panels', 'anomaly', 'module.js'))) {
    throw new Error(`panel baseline ${sha} did not build:\n${built.stdout}\n${built.stderr}`);
  }
  return { sha, dir: out };
}

/** Whether the built panel in `pluginDir` marks its plots once drawn (DRAWN_FROM_ATTRIBUTE, testIds.ts). */
function drawnMarkIn(pluginDir) {
  return fs.readFileSync(path.join(pluginDir, 'panels', 'anomaly', 'module.js'), 'utf8').includes('data-drawn-from');
}

/** One run of the spec's worker cases on the plugin in `pluginDir` (dist/ when undefined); its figures. */
function measure(pluginDir, resultFile) {
  fs.rmSync(resultFile, { force: true });
  // 12 refreshes: the first, the warm ones (2-5), the steady ones (6-12); then 7 more untraced (13-19).
  const env = {
    ...process.env,
    RESPONSIVENESS_RESULTS: resultFile,
    PANEL_REFRESHES: '12',
    PANEL_UNTRACED_REFRESHES: '7',
  };
  if (pluginDir) {
    env.BROWSER_TEST_PLUGIN_DIST = pluginDir;
    // Builds before data-drawn-from do not say when their plots are drawn: theirs is measured to the result
    // committed, which comes before the drawing, so the comparison favours them. Later ones are measured as ours.
    if (!drawnMarkIn(pluginDir)) {
      env.PANEL_CYCLE_END = 'ready';
    }
  }
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
    { cwd: ROOT, encoding: 'utf8', env }
  );
  return fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : {};
}

async function run() {
  if (
    !fs.existsSync(path.join(ROOT, 'dist', 'panels', 'anomaly', 'module.js')) ||
    !fs.existsSync('/usr/bin/chromium')
  ) {
    process.stderr.write('bench: panel cycle case skipped (needs `npm run build` and /usr/bin/chromium)\n');
    return [];
  }
  const ref = process.env.PANEL_BASELINE_REF ?? DEFAULT_BASELINE_REF;
  const baseline = ref === 'none' ? undefined : buildBaseline(ref);
  const ours = [measure(undefined, RESULT)];
  let theirs = {};
  if (baseline) {
    theirs = measure(baseline.dir, path.join(ROOT, 'test-results', 'browser', `responsiveness-${baseline.sha}.json`));
    ours.push(measure(undefined, path.join(ROOT, 'test-results', 'browser', 'responsiveness-again.json')));
  }
  if (Object.keys(ours[0]).length === 0) {
    throw new Error('panel cycle bench: the browser test wrote no results');
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return ROWS.filter(([name]) => ours.some((o) => o[name])).flatMap(([name, points, target]) => {
    const runs = ours.map((o) => figureOf(o, name)).filter(Boolean);
    const cycleMs = Math.round(runs.reduce((sum, f) => sum + f.cycleMs, 0) / runs.length);
    const readyMs = Math.round(runs.reduce((sum, f) => sum + f.readyMs, 0) / runs.length);
    const f = runs[0];
    const t = figureOf(theirs, name);
    // The workers' CPU time over the cycle (a Chromium trace): the work itself, which a busy minute of the shared
    // machine stretches far less than the wall time above.
    const workerCpuMs = Math.round(runs.reduce((sum, r) => sum + r.workerCpuMs, 0) / runs.length);
    // V8's optimising compilers' CPU over the cycle, on the same cores (absent from builds before it was traced).
    const compiling = (r) => (r.compileCpuMs === undefined ? '' : `, ${r.compileCpuMs} ms compiling`);
    const workers = (r) =>
      r.workerCpuMs === undefined
        ? 'untraced'
        : `${r.workerCpuMs} ms CPU, ${r.workerCollections} collections${compiling(r)}`;
    process.stderr.write(
      `bench: panel ${name}: ${runs.map((r) => r.cycleMs).join(' / ')} ms to marks drawn (result committed at ` +
        `${runs.map((r) => r.readyMs).join(' / ')} ms; target ${target}), longest task ` +
        `${longestTask(f)}; workers ${runs.map(workers).join(' / ')}; ` +
        `${baseline ? `panel ${baseline.sha}: ${t ? `${t.cycleMs} ms, workers ${workers(t)}` : 'no figure'}` : 'no baseline'}; ` +
        `load ${load}\n`
    );
    const cycle = entry(
      `panel cycle ${name}, props to marks drawn in Chromium (points/s; ${cycleMs} ms, result committed at ${readyMs} ms, target ${target}; longest main-thread task ${longestTask(f)})`,
      points / (cycleMs / 1000),
      baseline && t
        ? `panel ${baseline.sha}, same run, to ${
            drawnMarkIn(baseline.dir) ? 'its marks drawn' : 'its result committed'
          } (${t.cycleMs} ms)`
        : null,
      baseline && t ? points / (t.cycleMs / 1000) : null,
      ' points/s'
    );
    if (!Number.isFinite(workerCpuMs)) {
      return [cycle];
    }
    return [
      cycle,
      entry(
        `panel cycle ${name}, the scoring workers' CPU time (cycles per CPU second of the workers; ${workerCpuMs} ms)`,
        1000 / workerCpuMs,
        baseline && t ? `panel ${baseline.sha}, same run (${t.workerCpuMs} ms)` : null,
        baseline && t ? 1000 / t.workerCpuMs : null,
        ' /s'
      ),
    ];
  });
}

module.exports = { run };
