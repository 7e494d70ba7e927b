// Plain queries through the anomaly proxy against the same queries sent straight to Prometheus 2.42, side by side in
// one run: a query_range answer of ~350 KB and a small instant query. The proxy streams the upstream's answer through
// without parsing it (target: at most 1.25x the direct time, ratio >= 0.8). A bare node:http hop (bench/lib/
// bareHttpProxy.js) is measured in the same rounds: what any Node.js proxy costs on this machine at this time, so
// the proxy's own share can be told from the hop's, and a TCP relay (bench/lib/tcpRelay.js): what copying the bytes
// costs without handling HTTP at all. Each round sends every request once, in an order that rotates
// from round to round (a slow phase of the machine weighs on all alike, and no side always follows another);
// figures are medians over ROUNDS. Then each hop's CPU time per request, from /proc (all its threads: event loop,
// V8's compiler and GC threads, libuv's pool), over CPU_REQUESTS of each kind sent to it alone: on two cores
// shared with other work, wall time mostly tells how the machine was at the time, while the CPU a hop spends per
// request is its own (what it takes from the client and Prometheus on the same cores). Also /healthz while a cold
// anomaly query trains (models train on worker threads).
const os = require('os');
const { monitorEventLoopDelay } = require('perf_hooks');
const { entry } = require('../lib/table');
const { telemetrySeries } = require('../lib/telemetrySeries');
const { requireTestSupport } = require('../lib/testSupport');
const { elapsedSeconds, median } = require('../lib/timing');
const { startHopProcess, startQuietProxy } = require('../lib/hopProcess');

const STEP_MS = 60_000;
const DAY_MS = 86_400_000;
const HOSTS = 2; // x 5 metrics = 10 series x 1 day at 60 s: a ~350 KB query_range answer
const ROUNDS = 101;
const WARM_UP_ROUNDS = 5;
/**
 * Requests of each kind sent to each hop alone to measure its CPU time per request: /proc counts in 10 ms ticks, and
 * the relay spends ~0.1 ms on an instant query (1 000 of them: ~10 ticks).
 */
const CPU_REQUESTS = { range: 300, instant: 1000 };
const END_BEFORE_NOW_MS = 3 * 60_000;
const REFERENCE = 'prometheus 2.42 direct';
const BARE = 'bare node:http hop';
const RELAY = 'TCP relay';

async function run() {
  const { startPrometheus } = requireTestSupport('prometheus');
  const { mainThreadCpuMs, processCpuMs } = requireTestSupport('mainThreadCpu');
  const endMs = Math.floor((Date.now() - END_BEFORE_NOW_MS) / STEP_MS) * STEP_MS;
  const { series, selector } = telemetrySeries({
    hostCount: HOSTS,
    startMs: endMs - 3 * DAY_MS,
    endMs,
    stepMs: STEP_MS,
  });
  const prometheus = await startPrometheus({ series });
  // Every hop runs in a process of its own, as deployed (bench/lib/hopProcess.js); the proxy that answers /healthz
  // under a cold query runs in this one, whose event loop is then the proxy's to watch.
  const passing = await startHopProcess('proxy', prometheus.url);
  const proxy = await startQuietProxy(prometheus.url);
  const rangeBody = () =>
    new URLSearchParams({
      query: selector,
      start: String((endMs - DAY_MS) / 1000),
      end: String(endMs / 1000),
      step: String(STEP_MS / 1000),
    });
  const instantBody = () => new URLSearchParams({ query: `count(${selector})`, time: String(endMs / 1000) });
  const bare = await startHopProcess('bare', prometheus.url);
  const relay = await startHopProcess('relay', prometheus.url);
  const targets = { direct: prometheus.url, proxy: passing.url, bare: bare.url, relay: relay.url };
  const requests = Object.keys(targets).flatMap((side) => [
    { key: `range ${side}`, send: () => post(targets[side], '/api/v1/query_range', rangeBody()) },
    { key: `instant ${side}`, send: () => post(targets[side], '/api/v1/query', instantBody()) },
    // As Grafana's Prometheus datasource asks: its Go http.Transport (grafana-plugin-sdk-go
    // backend/httpclient/http_client.go, compression not disabled) sends `Accept-Encoding: gzip`. Prometheus then
    // compresses its direct answer; the proxy asks its upstream for identity and passes that on.
    ...(side === 'direct' || side === 'proxy'
      ? [
          { key: `range gzip ${side}`, send: () => post(targets[side], '/api/v1/query_range', rangeBody(), 'gzip') },
          { key: `instant gzip ${side}`, send: () => post(targets[side], '/api/v1/query', instantBody(), 'gzip') },
        ]
      : []),
  ]);
  const times = Object.fromEntries([...requests.map(({ key }) => [key, []]), ['healthz', []]]);
  /** ms of the hop process's CPU per request, by `${kind} ${side}`. */
  const cpuPerRequest = {};
  let answerBytes = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  /** The most main-thread CPU time (10 ms resolution) spent during one /healthz probe. */
  let healthzCpuMs = 0;
  let coldSeconds = 0;
  try {
    answerBytes = (await post(prometheus.url, '/api/v1/query_range', rangeBody())).length;
    for (const [side, url] of Object.entries(targets)) {
      const passed = await post(url, '/api/v1/query_range', rangeBody());
      if (passed.length !== answerBytes) {
        throw new Error(`${side} answered ${passed.length} bytes, Prometheus ${answerBytes}`);
      }
    }
    for (let round = -WARM_UP_ROUNDS; round < ROUNDS; round++) {
      for (let i = 0; i < requests.length; i++) {
        const { key, send } = requests[(i + Math.max(round, 0)) % requests.length];
        const seconds = await elapsedSeconds(send);
        if (round >= 0) {
          times[key].push(seconds);
        }
      }
    }
    const hops = { proxy: passing, bare, relay };
    for (const [side, hop] of Object.entries(hops)) {
      for (const kind of ['range', 'instant']) {
        const { send } = requests.find(({ key }) => key === `${kind} ${side}`);
        const cpuBefore = processCpuMs(hop.pid);
        for (let i = 0; i < CPU_REQUESTS[kind]; i++) {
          await send();
        }
        cpuPerRequest[`${kind} ${side}`] = (processCpuMs(hop.pid) - cpuBefore) / CPU_REQUESTS[kind];
      }
    }
    // /healthz while a cold anomaly query over every series trains 10 models.
    // The event loop's longest stall meanwhile tells a probe held up by the event loop's own work (the proxy's, or
    // this client's: it runs in the same process) from one waiting for a core on a busy machine.
    loopDelay.enable();
    let coldDone = false;
    const coldStart = process.hrtime.bigint();
    const cold = post(
      proxy.url,
      '/api/v1/query_range',
      new URLSearchParams({ ...Object.fromEntries(rangeBody()), query: `anomaly_score(${selector}, train="2d")` })
    ).finally(() => {
      coldDone = true;
      coldSeconds = Number(process.hrtime.bigint() - coldStart) / 1e9;
    });
    while (!coldDone) {
      const cpuBefore = mainThreadCpuMs();
      times.healthz.push(await elapsedSeconds(() => fetch(`${proxy.url}/healthz`).then((r) => r.text())));
      healthzCpuMs = Math.max(healthzCpuMs, mainThreadCpuMs() - cpuBefore);
    }
    await cold;
    loopDelay.disable();
  } finally {
    await proxy.close();
    await passing.close();
    await bare.close();
    await relay.close();
    await prometheus.stop();
  }
  const kb = Math.round(answerBytes / 1024);
  const rate = (key) => 1 / median(times[key]);
  const cpu = (key) => cpuPerRequest[key].toFixed(2);
  /** Requests per second of the hop's CPU. */
  const cpuRate = (key) => 1000 / cpuPerRequest[key];
  progress(
    `median ms over ${ROUNDS} rounds: range direct ${ms(times['range direct'])}, proxy ${ms(times['range proxy'])}, ` +
      `bare hop ${ms(times['range bare'])}, TCP relay ${ms(times['range relay'])}; instant direct ` +
      `${ms(times['instant direct'])}, proxy ${ms(times['instant proxy'])}, bare hop ${ms(times['instant bare'])}, ` +
      `TCP relay ${ms(times['instant relay'])}; hop CPU ms per request (${CPU_REQUESTS.range} range, ${CPU_REQUESTS.instant} instant, alone): range proxy ` +
      `${cpu('range proxy')}, bare hop ${cpu('range bare')}, TCP relay ${cpu('range relay')}; instant proxy ` +
      `${cpu('instant proxy')}, bare hop ${cpu('instant bare')}, TCP relay ${cpu('instant relay')}; ` +
      `load average ${os
        .loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}; /healthz under a cold query: median ` +
      `${ms(times.healthz)}, max ${(Math.max(...times.healthz) * 1000).toFixed(1)} (${times.healthz.length} probes), ` +
      `longest event-loop stall ${(loopDelay.max / 1e6).toFixed(1)} ms, most main-thread CPU in one probe ${healthzCpuMs} ms; ` +
      `the cold query took ${coldSeconds.toFixed(1)} s`
  );
  const range = `query_range ${series.length} series x 1d@60s, ${kb} KB answer`;
  return [
    entry(
      `proxy pass-through ${range} (queries/s; target ratio >= 0.8)`,
      rate('range proxy'),
      REFERENCE,
      rate('range direct')
    ),
    entry(
      'proxy pass-through small instant query (queries/s; target ratio >= 0.8)',
      rate('instant proxy'),
      REFERENCE,
      rate('instant direct')
    ),
    entry(
      `proxy pass-through ${range}, as Grafana asks (Accept-Encoding: gzip; Prometheus compresses its direct answer, the proxy passes an uncompressed one) (queries/s)`,
      rate('range gzip proxy'),
      REFERENCE,
      rate('range gzip direct')
    ),
    entry(
      'proxy pass-through small instant query, as Grafana asks (Accept-Encoding: gzip) (queries/s)',
      rate('instant gzip proxy'),
      REFERENCE,
      rate('instant gzip direct')
    ),
    entry(`bare node:http hop, ${range} (queries/s)`, rate('range bare'), REFERENCE, rate('range direct')),
    entry(
      'bare node:http hop, small instant query (queries/s)',
      rate('instant bare'),
      REFERENCE,
      rate('instant direct')
    ),
    entry(`TCP relay, ${range} (queries/s)`, rate('range relay'), REFERENCE, rate('range direct')),
    entry('TCP relay, small instant query (queries/s)', rate('instant relay'), REFERENCE, rate('instant direct')),
    entry(`proxy pass-through ${range} (queries/s)`, rate('range proxy'), BARE, rate('range bare')),
    entry('proxy pass-through small instant query (queries/s)', rate('instant proxy'), BARE, rate('instant bare')),
    entry(
      `proxy pass-through ${range} (requests per CPU second of the hop)`,
      cpuRate('range proxy'),
      BARE,
      cpuRate('range bare')
    ),
    entry(
      'proxy pass-through small instant query (requests per CPU second of the hop)',
      cpuRate('instant proxy'),
      BARE,
      cpuRate('instant bare')
    ),
    entry(
      `bare node:http hop, ${range} (requests per CPU second of the hop)`,
      cpuRate('range bare'),
      RELAY,
      cpuRate('range relay')
    ),
    entry(
      'bare node:http hop, small instant query (requests per CPU second of the hop)',
      cpuRate('instant bare'),
      RELAY,
      cpuRate('instant relay')
    ),
    entry(
      `proxy /healthz while a cold anomaly query trains ${series.length} models, slowest of ${times.healthz.length}, longest event-loop stall ${(loopDelay.max / 1e6).toFixed(0)} ms, main-thread CPU <= ${healthzCpuMs} ms per probe (answers/s; target >= 5/s = 200 ms)`,
      1 / Math.max(...times.healthz),
      'target: 200 ms',
      5
    ),
  ];
}

async function post(baseUrl, path, body, acceptEncoding = 'identity') {
  // Uncompressed both ways by default: Prometheus would gzip a direct answer but not the proxy's (which asks for
  // identity and does not compress), and the target rows measure the proxy's cost, not gzip's.
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    body,
    headers: { 'accept-encoding': acceptEncoding },
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
