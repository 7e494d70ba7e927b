// The engine in a Chromium worker against the same engine in Node, in one run: trainAndScore of 50 series x 10 000
// rows (the panel's first cycle, in 2 048-row steps as its workers run it), bundled by webpack from pkg/engine/dist.
// Node is the reference: what the same code does where a new typed array costs almost nothing. The progress line
// gives the page faults and kernel time of Chromium's renderer meanwhile (/proc): in this VM a page of fresh memory
// costs a fault, and the engine's arrays per model are what the panel's workers pay for (workingArray.ts).
const fs = require('fs');
const os = require('os');
const path = require('path');
const webpack = require('webpack');
const { chromium } = require('playwright-core');
const { entry } = require('../lib/table');
const { median } = require('../lib/timing');

const SERIES = 50;
const ROWS = 10_000;
const REPEATS = 5;
const ENGINE = path.join(__dirname, '..', '..', 'pkg', 'engine', 'dist');

/** The measured job, as text: runs in the worker and in Node alike; returns each repeat's ms and a checksum. */
const JOB = `
function engineJob(engine, series, rows, repeats) {
  const { AnomalyDetector, createRandom, runSteps } = engine;
  const random = createRandom(3);
  const tables = Array.from({ length: series }, () => {
    const timestamps = Float64Array.from({ length: rows }, (_, r) => 1.7e12 + r * 60000);
    const values = Float64Array.from(timestamps, (_, r) => 100 + 10 * Math.sin(r / 300) + 5 * random.nextFloat());
    return { timestamps, columns: [{ name: 'v', values }] };
  });
  const times = [];
  let checksum = 0;
  for (let repeat = 0; repeat < repeats; repeat++) {
    const start = performance.now();
    for (const table of tables) {
      const { results } = runSteps(AnomalyDetector.trainAndScoreSteps(table, { forest: { contamination: 0.01 } }, 2048));
      checksum += results[0].scores[rows >> 1];
    }
    times.push(performance.now() - start);
  }
  return { times, checksum };
}`;

function bundleEngine(dir) {
  const entryFile = path.join(dir, 'entry.js');
  fs.writeFileSync(
    entryFile,
    `const engine = require(${JSON.stringify(ENGINE)});\n${JOB}\n` +
      `self.onmessage = (e) => self.postMessage(engineJob(engine, ...e.data));\n`
  );
  return new Promise((resolve, reject) =>
    webpack(
      {
        mode: 'production',
        entry: entryFile,
        target: 'webworker',
        output: { path: dir, filename: 'engine-worker.js' },
        performance: { hints: false },
      },
      (error, stats) =>
        error || stats.hasErrors()
          ? reject(error ?? new Error(stats.toString('errors-only')))
          : resolve(fs.readFileSync(path.join(dir, 'engine-worker.js'), 'utf8'))
    )
  );
}

/** Minor page faults and kernel ms of Chromium's renderer processes (/proc/<pid>/stat). */
function rendererCounters() {
  let faults = 0;
  let kernelMs = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) {
        continue;
      }
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      faults += Number(fields[7]);
      kernelMs += Number(fields[12]) * (1000 / 100); // clock ticks of 10 ms
    } catch {
      // a process that ended meanwhile
    }
  }
  return { faults, kernelMs };
}

async function run() {
  if (!fs.existsSync('/usr/bin/chromium') || !fs.existsSync(path.join(ENGINE, 'index.js'))) {
    process.stderr.write('bench: engine in Chromium skipped (needs /usr/bin/chromium and `npm run build:pkg`)\n');
    return [];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-engine-chromium-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const source = await bundleEngine(dir);
    const page = await browser.newPage();
    const inWorker = (repeats) =>
      page.evaluate(
        ({ source, args }) =>
          new Promise((resolve, reject) => {
            const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
            worker.onmessage = (event) => {
              worker.terminate();
              resolve(event.data);
            };
            worker.onerror = (event) => reject(new Error(event.message));
            worker.postMessage(args);
          }),
        { source, args: [SERIES, ROWS, repeats] }
      );
    await inWorker(1); // compiles the page's and worker's code paths once
    const before = rendererCounters();
    const chromiumRun = await inWorker(REPEATS);
    const after = rendererCounters();
    // The very job text the worker ran, on Node's engine.
    const nodeJob = new Function(
      'engine',
      'series',
      'rows',
      'repeats',
      `${JOB}\nreturn engineJob(engine, series, rows, repeats);`
    );
    const engine = require(ENGINE);
    nodeJob(engine, SERIES, 1000, 1);
    const nodeRun = nodeJob(engine, SERIES, ROWS, REPEATS);
    if (nodeRun.checksum !== chromiumRun.checksum) {
      throw new Error(`engine in Chromium: scores differ from Node's (${chromiumRun.checksum} vs ${nodeRun.checksum})`);
    }
    const chromiumMs = median(chromiumRun.times);
    const nodeMs = median(nodeRun.times);
    const faults = after.faults - before.faults;
    const kernelMs = after.kernelMs - before.kernelMs;
    process.stderr.write(
      `bench: engine in Chromium: ${SERIES} x ${ROWS} trainAndScore, median of ${REPEATS}: worker ${chromiumMs.toFixed(0)} ms, ` +
        `Node ${nodeMs.toFixed(0)} ms; the renderer meanwhile: ${faults} page faults (${Math.round(faults / (SERIES * REPEATS))} a model), ` +
        `${kernelMs} ms in the kernel\n`
    );
    return [
      entry(
        `engine trainAndScore ${SERIES} series x ${ROWS} rows in a Chromium worker (rows/s; ${Math.round(faults / (SERIES * REPEATS))} page faults a model)`,
        (SERIES * ROWS) / (chromiumMs / 1000),
        'the same bundle in Node',
        (SERIES * ROWS) / (nodeMs / 1000)
      ),
    ];
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { run };
