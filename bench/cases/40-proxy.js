// The anomaly proxy over a real Prometheus 2.42: `anomaly_flag(<100 series>)` over 1 day at 15 s (5 761 points per
// series), cold (a fresh proxy: fetch + train 100 models on the day before + score) and warm (models cached: fetch +
// score), against the same plain query sent straight to Prometheus (target: warm overhead <= 25 %, ratio >= 0.8).
// Also the plain query passed through the proxy, and the memory of 10 000 cached models (target <= 1 GB).
//
// Data: the CLI's seeded telemetry for 20 hosts x 5 metrics at 15 s over 2.5 days, backfilled with promtool
// (tests/support/prometheus.ts). The proxy runs in this process (pkg/proxy/dist), as the bench's HTTP client does:
// the client's share (reading the answer) is in both sides of every ratio.
const { PassThrough } = require('stream');
const { parseConfig, startProxy } = require('../../pkg/proxy/dist');
const { DEFAULT_SCORE_CACHE_BYTES } = require('../../pkg/query/dist');
const { measureModelCacheMemory } = require('../lib/modelCacheMemory');
const { entry } = require('../lib/table');
const { telemetrySeries } = require('../lib/telemetrySeries');
const { requireTestSupport } = require('../lib/testSupport');
const { elapsedSeconds, median } = require('../lib/timing');

const DAY_MS = 86_400_000;
const STEP_MS = 15_000;
const HOSTS = 20; // x 5 metrics = 100 series
const BACKFILL_DAYS = 2.5; // the scored day, the training day before it, warm-up and slack
/** Data ends this long before now: promtool only backfills the past, and it stays within the 5 min lookback. */
const END_BEFORE_NOW_MS = 3 * 60_000;
const COLD_REPEATS = 3;
const WARM_REPEATS = 7;
const CACHED_MODELS = 10_000;
/**
 * The memory figure fills the cache with CACHED_MODELS models (~1 min), or until RSS has grown by the target's 1 GB
 * if that comes first, and then extrapolates to CACHED_MODELS (the line says so): a regression cannot take GBs.
 */
const MODEL_CACHE_RSS_BUDGET_BYTES = Number(process.env.BENCH_PROXY_RSS_BUDGET_MB ?? 1024) * 2 ** 20;
const GB = 2 ** 30;
const MB = 2 ** 20;
const REFERENCE = 'prometheus 2.42 plain query';

async function run() {
  const { startPrometheus } = requireTestSupport('prometheus');
  const endMs = Math.floor((Date.now() - END_BEFORE_NOW_MS) / STEP_MS) * STEP_MS;
  const { series, selector } = telemetrySeries({
    hostCount: HOSTS,
    startMs: endMs - BACKFILL_DAYS * DAY_MS,
    endMs,
    stepMs: STEP_MS,
  });
  const label = `${series.length} series x 1d@15s`;
  const range = { startMs: endMs - DAY_MS, endMs, stepMs: STEP_MS };
  const anomalyQuery = `anomaly_flag(${selector})`;

  progress(`backfilling ${series.length} series x ${BACKFILL_DAYS} days at 15 s into Prometheus`);
  let prometheus;
  const backfillSeconds = await elapsedSeconds(async () => (prometheus = await startPrometheus({ series })));
  progress(`Prometheus ready in ${backfillSeconds.toFixed(1)} s`);

  const times = { plain: [], passThrough: [], cold: [], warm: [] };
  try {
    const plain = () => queryRange(prometheus.url, selector, range);
    // Untimed first answers: Prometheus reads its blocks from disk, and the answer is checked once.
    expectSeries(await plain(), series.length, 'Prometheus');
    await plain();

    for (let i = 0; i < COLD_REPEATS; i++) {
      await withProxy(prometheus.url, async (proxyUrl) => {
        let answer;
        times.cold.push(await elapsedSeconds(async () => (answer = await queryRange(proxyUrl, anomalyQuery, range))));
        expectSeries(answer, series.length, 'the proxy (cold)');
      });
    }
    await withProxy(prometheus.url, async (proxyUrl) => {
      expectSeries(await queryRange(proxyUrl, anomalyQuery, range), series.length, 'the proxy (training)');
      expectSeries(await queryRange(proxyUrl, selector, range), series.length, 'the proxy (pass-through)');
      // Interleaved, so that a slow phase of the machine weighs on both sides alike.
      for (let i = 0; i < WARM_REPEATS; i++) {
        times.plain.push(await elapsedSeconds(plain));
        times.warm.push(await elapsedSeconds(() => queryRange(proxyUrl, anomalyQuery, range)));
        times.passThrough.push(await elapsedSeconds(() => queryRange(proxyUrl, selector, range)));
      }
    });
  } finally {
    await prometheus.stop();
  }
  const plainRate = 1 / median(times.plain);
  progress(
    `median seconds: prometheus ${median(times.plain).toFixed(3)}, proxy warm ${median(times.warm).toFixed(3)}, ` +
      `cold ${median(times.cold).toFixed(3)}, pass-through ${median(times.passThrough).toFixed(3)}`
  );
  const entries = [
    entry(
      `proxy anomaly_flag ${label} cold, trains ${series.length} models (queries/s)`,
      1 / median(times.cold),
      REFERENCE,
      plainRate
    ),
    entry(
      `proxy anomaly_flag ${label} warm (queries/s; target ratio >= 0.8)`,
      1 / median(times.warm),
      REFERENCE,
      plainRate
    ),
    entry(`proxy plain query pass-through ${label} (queries/s)`, 1 / median(times.passThrough), REFERENCE, plainRate),
  ];

  for (const mode of ['trained', 'loaded', 'scored']) {
    progress(`filling the model cache with up to ${CACHED_MODELS} ${mode} models`);
    // 'scored' models also keep score caches, within the default scoreCache.maxBytes on top of the models' budget.
    const rssBudgetBytes = MODEL_CACHE_RSS_BUDGET_BYTES + (mode === 'scored' ? DEFAULT_SCORE_CACHE_BYTES : 0);
    entries.push(modelCacheEntry(await measureModelCacheMemory({ mode, target: CACHED_MODELS, rssBudgetBytes })));
  }
  return entries;
}

/** Starts a proxy with an empty in-memory model cache in front of `prometheusUrl`, runs `benchWith(url)`, closes it. */
async function withProxy(prometheusUrl, benchWith) {
  const config = parseConfig(
    [
      'listen: 127.0.0.1:0',
      'upstreams:',
      `  prom: { type: prometheus, url: ${JSON.stringify(prometheusUrl)} }`,
      'log: { level: info }',
    ].join('\n'),
    'bench proxy config'
  );
  // A deployment logs a line per request and per trained model: keep that cost, but not on the bench's stdout.
  const logStream = new PassThrough();
  let logTail = '';
  logStream.on('data', (chunk) => (logTail = (logTail + chunk).slice(-4000)));
  const proxy = await startProxy(config, { logStream });
  try {
    await benchWith(proxy.url);
  } catch (error) {
    error.message += `\n--- last proxy log lines ---\n${logTail}`;
    throw error;
  } finally {
    await proxy.close();
  }
}

/** POSTs a range query as Grafana does and reads the whole answer; throws unless it is 200. */
async function queryRange(baseUrl, query, { startMs, endMs, stepMs }) {
  const body = new URLSearchParams({
    query,
    start: String(startMs / 1000),
    end: String(endMs / 1000),
    step: String(stepMs / 1000),
  });
  const response = await fetch(`${baseUrl}/api/v1/query_range`, { method: 'POST', body });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${baseUrl} answered ${response.status} to ${query}: ${text.slice(0, 500)}`);
  }
  return text;
}

/**
 * The answer must hold every series, each modelled and scored (a "no model for" / "no scores for" warning means a
 * series could not be). Over-flagging notices (a model that no longer fits the scored day) are answers, not
 * failures: the seeded telemetry drifts between the training day and the scored day.
 */
function expectSeries(answerText, expected, who) {
  const answer = JSON.parse(answerText);
  const found = answer.data.result.length;
  const failed = (answer.warnings ?? []).filter((w) => /^no (model|scores) for /.test(w));
  if (found !== expected || failed.length > 0) {
    throw new Error(
      `${who} answered ${found} series (expected ${expected})${failed.length > 0 ? `, warnings: ${failed.join('; ')}` : ''}`
    );
  }
}

/**
 * ours = models per GB of RSS; reference = the target (10 000 models in 1 GB, plus scoreCache.maxBytes for models that
 * keep score caches); ratio >= 1 meets it.
 */
function modelCacheEntry({
  mode,
  models,
  seconds,
  rssBytes,
  heapBytes,
  externalBytes,
  scoreCacheBytes,
  scoreCacheMaxBytes,
}) {
  const rssPerModel = rssBytes / models;
  const heapAndBuffersPerModel = (heapBytes + externalBytes) / models;
  const total = rssPerModel * CACHED_MODELS;
  const how = {
    trained: 'trained by queries',
    loaded: 'loaded from model store',
    scored: 'trained, each scoring a day',
  }[mode];
  const measured = models === CACHED_MODELS ? '' : `; extrapolated from ${models}`;
  const scoreCaches =
    mode === 'scored' ? `, score caches ${formatBytes(scoreCacheBytes)} of max ${formatBytes(scoreCacheMaxBytes)}` : '';
  const targetBytes = GB + (mode === 'scored' ? scoreCacheMaxBytes : 0);
  progress(
    `${models} ${mode} models in ${seconds.toFixed(1)} s: RSS +${(rssBytes / MB).toFixed(0)} MB, heap +${(heapBytes / MB).toFixed(1)} MB, buffers +${(externalBytes / MB).toFixed(0)} MB${scoreCaches}`
  );
  return entry(
    `proxy ${CACHED_MODELS / 1000}k cached models ${how}: ${formatBytes(total)} RSS = ${(rssPerModel / 1024).toFixed(0)} KB/model ` +
      `(heap+buffers ${(heapAndBuffersPerModel / 1024).toFixed(0)} KB${measured}${scoreCaches}; target <= ${formatBytes(targetBytes)})`,
    GB / rssPerModel,
    `target: 10k models in ${formatBytes(targetBytes)}`,
    (CACHED_MODELS * GB) / targetBytes,
    ' models/GB'
  );
}

function formatBytes(bytes) {
  return bytes >= GB ? `${(bytes / GB).toFixed(1)} GB` : `${(bytes / MB).toFixed(0)} MB`;
}

function progress(message) {
  process.stderr.write(`bench: proxy: ${message}\n`);
}

module.exports = { run };
