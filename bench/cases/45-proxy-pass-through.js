// Plain queries through the anomaly proxy against the same queries sent straight to Prometheus 2.42, side by side in
// one run (interleaved, so a slow phase of the machine weighs on both alike): a query_range answer of ~350 KB and a
// small instant query. The proxy streams the upstream's answer through without parsing it (target: at most 1.25x
// the direct time, ratio >= 0.8). Also /healthz while a cold anomaly query trains (models train on worker threads).
const { PassThrough } = require('stream');
const { parseConfig, startProxy } = require('../../pkg/proxy/dist');
const { entry } = require('../lib/table');
const { telemetrySeries } = require('../lib/telemetrySeries');
const { requireTestSupport } = require('../lib/testSupport');
const { elapsedSeconds, median } = require('../lib/timing');

const STEP_MS = 60_000;
const DAY_MS = 86_400_000;
const HOSTS = 2; // x 5 metrics = 10 series x 1 day at 60 s: a ~350 KB query_range answer
const REPEATS = 41;
const END_BEFORE_NOW_MS = 3 * 60_000;
const REFERENCE = 'prometheus 2.42 direct';

async function run() {
  const { startPrometheus } = requireTestSupport('prometheus');
  const endMs = Math.floor((Date.now() - END_BEFORE_NOW_MS) / STEP_MS) * STEP_MS;
  const { series, selector } = telemetrySeries({
    hostCount: HOSTS,
    startMs: endMs - 3 * DAY_MS,
    endMs,
    stepMs: STEP_MS,
  });
  const prometheus = await startPrometheus({ series });
  const proxy = await startQuietProxy(prometheus.url);
  const rangeBody = () =>
    new URLSearchParams({
      query: selector,
      start: String((endMs - DAY_MS) / 1000),
      end: String(endMs / 1000),
      step: String(STEP_MS / 1000),
    });
  const instantBody = () => new URLSearchParams({ query: `count(${selector})`, time: String(endMs / 1000) });
  const times = { rangeDirect: [], rangeProxy: [], instantDirect: [], instantProxy: [], healthz: [] };
  let answerBytes = 0;
  try {
    answerBytes = (await post(prometheus.url, '/api/v1/query_range', rangeBody())).length;
    const proxied = await post(proxy.url, '/api/v1/query_range', rangeBody());
    if (proxied.length !== answerBytes) {
      throw new Error(`the proxy answered ${proxied.length} bytes, Prometheus ${answerBytes}`);
    }
    for (let i = 0; i < REPEATS; i++) {
      times.rangeDirect.push(await elapsedSeconds(() => post(prometheus.url, '/api/v1/query_range', rangeBody())));
      times.rangeProxy.push(await elapsedSeconds(() => post(proxy.url, '/api/v1/query_range', rangeBody())));
      times.instantDirect.push(await elapsedSeconds(() => post(prometheus.url, '/api/v1/query', instantBody())));
      times.instantProxy.push(await elapsedSeconds(() => post(proxy.url, '/api/v1/query', instantBody())));
    }
    // /healthz while a cold anomaly query over every series trains 10 models.
    let coldDone = false;
    const cold = post(
      proxy.url,
      '/api/v1/query_range',
      new URLSearchParams({ ...Object.fromEntries(rangeBody()), query: `anomaly_score(${selector}, train="2d")` })
    ).finally(() => (coldDone = true));
    while (!coldDone) {
      times.healthz.push(await elapsedSeconds(() => fetch(`${proxy.url}/healthz`).then((r) => r.text())));
    }
    await cold;
  } finally {
    await proxy.close();
    await prometheus.stop();
  }
  const kb = Math.round(answerBytes / 1024);
  progress(
    `median ms: range direct ${ms(times.rangeDirect)}, proxy ${ms(times.rangeProxy)}; instant direct ` +
      `${ms(times.instantDirect)}, proxy ${ms(times.instantProxy)}; /healthz under a cold query: median ` +
      `${ms(times.healthz)}, max ${(Math.max(...times.healthz) * 1000).toFixed(1)} (${times.healthz.length} probes)`
  );
  return [
    entry(
      `proxy pass-through query_range ${series.length} series x 1d@60s, ${kb} KB answer (queries/s; target ratio >= 0.8)`,
      1 / median(times.rangeProxy),
      REFERENCE,
      1 / median(times.rangeDirect)
    ),
    entry(
      'proxy pass-through small instant query (queries/s; target ratio >= 0.8)',
      1 / median(times.instantProxy),
      REFERENCE,
      1 / median(times.instantDirect)
    ),
    entry(
      `proxy /healthz while a cold anomaly query trains ${series.length} models, slowest of ${times.healthz.length} (answers/s; target >= 5/s = 200 ms)`,
      1 / Math.max(...times.healthz),
      'target: 200 ms',
      5
    ),
  ];
}

async function startQuietProxy(prometheusUrl) {
  const config = parseConfig(
    ['listen: 127.0.0.1:0', 'upstreams:', `  prom: { type: prometheus, url: ${JSON.stringify(prometheusUrl)} }`].join(
      '\n'
    ),
    'bench pass-through config'
  );
  // A deployment logs a line per request: keep that cost, off the bench's stdout.
  const logStream = new PassThrough();
  logStream.resume();
  return startProxy(config, { logStream });
}

async function post(baseUrl, path, body) {
  // Uncompressed both ways: Prometheus would gzip a direct answer but not the proxy's (which asks for identity and
  // does not compress), and the figure is the proxy's cost, not gzip's.
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    body,
    headers: { 'accept-encoding': 'identity' },
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${baseUrl}${path} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return text;
}

function ms(times) {
  return (median(times) * 1000).toFixed(1);
}

function progress(message) {
  process.stderr.write(`bench: proxy pass-through: ${message}\n`);
}

module.exports = { run };
