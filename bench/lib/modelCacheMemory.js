// Memory of the anomaly proxy's model cache: fills the proxy's own ModelRepository (the LRU every query goes through)
// with per-series models as the proxy builds them — its default engine options (100 trees, maxSamples 'auto' = 256,
// window 12, lags 1), trained on one default training window (1 day) of a 15 s series — and reports the bytes they
// hold. Runs in a child process started with --expose-gc, so that nothing else lives in the measured heap.
//
// Two ways a model gets into the cache, measured separately because they hold different state:
//   'trained': trained by a query (AnomalyDetector.train), as in a proxy without a model store;
//   'loaded':  read back from the model store (AnomalyDetector.fromJSON of a stored model), as after a restart;
//   'scored':  trained as 'trained', then each model scores a day (its training table) and keeps the scored rows as
//              its score cache, as after a query: within the proxy's default scoreCache.maxBytes over all models.
// The cache is filled up to `target` models or until RSS has grown by `rssBudgetBytes`, whichever comes first; the
// caller extrapolates per-model figures to the target (the cache's memory is linear in its models).
const { fork } = require('child_process');

const DAY_MS = 86_400_000;
const STEP_MS = 15_000;
/** Distinct training series the models are trained on (each model also gets its own seed: distinct forests). */
const TRAINING_SERIES_HOSTS = 10;
/** How often (in models) the child checks its RSS against the budget. */
const RSS_CHECK_EVERY = 50;

/**
 * @param {{ mode: 'trained' | 'loaded' | 'scored', target: number, rssBudgetBytes: number }} options
 * @returns {Promise<{ mode: string, models: number, seconds: number, rssBytes: number, heapBytes: number, externalBytes: number, scoreCacheBytes: number, scoreCacheMaxBytes: number }>}
 *   byte counts are growth over the cache's empty state, for `models` models.
 */
function measureModelCacheMemory(options) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [JSON.stringify(options)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let result;
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('message', (message) => (result = message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && result) {
        resolve(result);
      } else {
        reject(
          new Error(`model cache memory child (${options.mode}) failed: ${signal ?? `exit code ${code}`}\n${stderr}`)
        );
      }
    });
  });
}

async function settledMemory() {
  // Typed-array backing stores are released after the collection that finds them dead: collect a few times.
  for (let i = 0; i < 3; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

/** The child: fills the cache and sends the measurement to the parent. */
async function measureInChild({ mode, target, rssBudgetBytes }) {
  const { AnomalyDetector } = require('../../pkg/engine/dist');
  const { parseConfig } = require('../../pkg/proxy/dist');
  const { ModelRepository } = require('../../pkg/query/dist');
  const { scoreWithCache } = require('../../pkg/proxy/dist/query/scoreCache');
  const { telemetrySeries } = require('./telemetrySeries');

  // The proxy's defaults, as parsed from a config that sets none of them.
  const config = parseConfig('upstreams: { prom: { type: prometheus, url: "http://127.0.0.1:9" } }', 'bench');
  const defaults = config.engine;
  const endMs = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  const { series } = telemetrySeries({
    hostCount: TRAINING_SERIES_HOSTS,
    startMs: endMs - defaults.trainingWindowMs,
    endMs,
    stepMs: STEP_MS,
  });
  // Univariate, as the proxy builds it: one column named after the metric.
  const tables = series.map((s) => ({ timestamps: s.timestampsMs, columns: [{ name: s.metric, values: s.values }] }));
  const detectorOptions = (seed) => ({
    features: { window: defaults.window, lags: defaults.lags, seasonality: defaults.seasonality },
    forest: { nEstimators: defaults.trees, contamination: defaults.contamination, seed },
    mode: 'multivariate',
  });
  // 'loaded': one stored model per training series, as JSON text parsed back (what the model store reads).
  const stored =
    mode === 'loaded'
      ? tables.map((table, i) => JSON.parse(JSON.stringify(AnomalyDetector.train(table, detectorOptions(i)).toJSON())))
      : [];

  const silentLog = { warn() {}, info() {} };
  const repository = new ModelRepository(
    target,
    undefined,
    silentLog,
    { onCacheSizeChange() {}, onStoreLoad() {} },
    Date.now,
    config.scoreCache.maxBytes
  );
  const before = await settledMemory();
  const began = process.hrtime.bigint();
  let models = 0;
  while (models < target) {
    const seriesIndex = models % tables.length;
    const detector =
      mode === 'loaded'
        ? AnomalyDetector.fromJSON(stored[seriesIndex])
        : AnomalyDetector.train(tables[seriesIndex], detectorOptions(models));
    const model = {
      key: models.toString(16).padStart(64, '0'), // the proxy's keys are sha256 hex digests
      description: `{host="${series[seriesIndex].labels.host}", job="telemetry"} columns ["${series[seriesIndex].metric}"]`,
      trainedAt: Date.now(),
      trainStart: endMs - defaults.trainingWindowMs,
      trainEnd: endMs,
      detector: detector.toTransfer(), // what the repository keeps: the compact trees, no training data
    };
    await repository.put(model);
    if (mode === 'scored') {
      // A fresh copy of the rows, as each query's rows come fresh from the upstream (the score cache keeps them).
      const table = tables[seriesIndex];
      const fetched = {
        timestamps: table.timestamps.slice(),
        columns: table.columns.map((c) => ({ name: c.name, values: c.values.slice() })),
      };
      repository.keepScores(model, scoreWithCache(detector, fetched, undefined).scored);
    }
    models++;
    if (models % RSS_CHECK_EVERY === 0 && process.memoryUsage.rss() - before.rss > rssBudgetBytes) {
      break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const after = await settledMemory();
  if (repository.cachedModels !== models) {
    throw new Error(`the cache holds ${repository.cachedModels} models, expected ${models}`);
  }
  process.send(
    {
      mode,
      models,
      seconds,
      rssBytes: after.rss - before.rss,
      heapBytes: after.heapUsed - before.heapUsed,
      externalBytes: after.external - before.external,
      scoreCacheBytes: repository.scoreCacheBytes,
      scoreCacheMaxBytes: config.scoreCache.maxBytes,
    },
    () => process.disconnect()
  ); // the open IPC channel would keep the child alive
}

if (require.main === module) {
  measureInChild(JSON.parse(process.argv[2])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { measureModelCacheMemory };
