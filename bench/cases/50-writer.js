// The writer (pkg/writer) end to end: read from a real Prometheus 2.42 → score → remote write into a second
// Prometheus 2.42 (--web.enable-remote-write-receiver), against the same points scored by the proxy's query path
// (the same anomaly queries per fit period, answered by pkg/proxy) in the same run. Both single-threaded
// (workers.training: 0), so figures are per core.
//
//  - backfill (cold: fits the models, then scores 6 h): `telemetry-analyzer run --from --to` with 1, 2 and 4 shards
//    as separate processes at once (scaling as far as this machine's cores allow), points per second per core, all
//    shards' wall-clock rate against one shard's, and points per CPU second of the busiest shard (each shard reads
//    only its own series, so that is the rate N shards reach on N cores of their own);
//  - steady state (models cached): one run per minute scores one new point per series; from its time, the series one
//    core keeps up with at infer_every 1m (the sizing model of docs/scale.md; target >= 100 000 series per core).
//  - a shard in steady state keeping its series listing between runs, against the same shard listing every run.
// Every backfill's self-check counts the samples the target holds; the writer reads its backfill back and sends again
// what the target lost after accepting it (docs/scale.md, "Backfill read-back"), and the row says how many.
const { execFile } = require('child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('fs');
const os = require('os');
const path = require('path');
const { PassThrough } = require('stream');
const { promisify } = require('util');
const { parseConfig, startProxy } = require('../../pkg/proxy/dist');
const { AnomalyWriter, chunkQueryText, parseWriterConfig, scoringChunks, shardOf } = require('../../pkg/writer/dist');
const cpuAtExit = require('../lib/cpuAtExit');
const { entry } = require('../lib/table');
const { telemetrySeries } = require('../lib/telemetrySeries');
const { requireTestSupport } = require('../lib/testSupport');
const { elapsedSeconds, median } = require('../lib/timing');

const run_ = promisify(execFile);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HOSTS = 100; // x 5 metrics = 500 series at 1 m
const BACKFILL_HOURS = 6;
const TICKS = 15;
const CORES = os.availableParallelism();
const CLI = path.join(__dirname, '..', '..', 'pkg', 'cli', 'bin', 'telemetry-analyzer.js');
const SCHEDULE = { infer_every: '1m', fit_every: '6h', fit_window: '12h' };
const OPTIONS = { contamination: 0.01, step: '1m' };

async function run() {
  const { startPrometheus } = requireTestSupport('prometheus');
  const { startPrometheusReceiver } = requireTestSupport('remoteWriteTargets');
  const endMs = Math.floor((Date.now() - 3 * MINUTE) / MINUTE) * MINUTE;
  const { series, selector } = telemetrySeries({ hostCount: HOSTS, startMs: endMs - 1.5 * DAY, endMs, stepMs: MINUTE });
  progress(`backfilling ${series.length} series x 1.5 d at 1 m into Prometheus`);
  const input = await startPrometheus({ series });
  const target = await startPrometheusReceiver();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-writer-'));
  const entries = [];
  try {
    const yaml = (run) =>
      [
        'listen: 127.0.0.1:0',
        'defaultUpstream: input',
        `upstreams: { input: { type: prometheus, url: ${input.url} }, target: { type: prometheus, url: ${target.url} } }`,
        `remoteWrite: { url: ${target.writeUrl}, readBack: target, externalLabels: { run: ${run} } }`,
        'workers: { training: 0 }',
        'limits: { maxSeriesPerQuery: 100000 }',
        'log: { level: warn }',
        `jobs: [{ name: bench, query: ${JSON.stringify(selector)}, options: ${JSON.stringify(OPTIONS)}, schedule: ${JSON.stringify(SCHEDULE)} }]`,
      ].join('\n');
    const fromMs = endMs - BACKFILL_HOURS * HOUR;
    const points = series.length * (BACKFILL_HOURS * 60 + 1);

    // The proxy's query path over the same points: the writer's queries, per fit period, cold.
    const job = parseWriterConfig(yaml('proxy'), 'bench').jobs[0];
    const proxySeconds = await withProxy(input.url, (url) =>
      elapsedSeconds(async () => {
        for (const chunk of scoringChunks(job, fromMs, endMs, 11_000)) {
          for (const fn of ['anomaly_score', 'anomaly_flag', 'anomaly_threshold']) {
            await queryRange(url, chunkQueryText(job, fn, chunk), chunk.startMs, chunk.endMs);
          }
        }
      })
    );
    const proxyRate = points / proxySeconds;
    progress(`proxy: ${points} points in ${proxySeconds.toFixed(2)} s`);

    let oneShard;
    for (const shards of [1, 2, 4]) {
      const config = path.join(dir, `writer-${shards}.yaml`);
      writeFileSync(config, yaml(`shards${shards}`));
      let cpuSeconds = [];
      let resent = 0;
      const seconds = await elapsedSeconds(async () => {
        const children = await Promise.all(
          Array.from({ length: shards }, (_, i) =>
            run_(
              process.execPath,
              [
                ...cpuAtExit.preload,
                CLI,
                'run',
                '--config',
                config,
                '--shard',
                `${i}/${shards}`,
                '--from',
                String(fromMs / 1000),
                '--to',
                String(endMs / 1000),
              ],
              { env: { ...process.env, ...cpuAtExit.env } }
            )
          )
        );
        cpuSeconds = children.map(({ stderr }) => cpuAtExit.cpuSecondsOf(stderr));
        resent = children.reduce((n, { stdout }) => n + resentSamples(stdout), 0);
      });
      const written = await countSamples(target.url, `{run="shards${shards}"}`, endMs);
      if (written !== 3 * points) {
        throw new Error(`${shards} shard(s) wrote ${written} samples, expected ${3 * points}`);
      }
      const busiest = Math.max(...cpuSeconds);
      const perCore = points / seconds / Math.min(shards, CORES);
      progress(
        `${shards} shard(s): ${points} points (${written} samples written; the read-back sent ${resent} again) in ${seconds.toFixed(2)} s; CPU s per shard ${cpuSeconds.map((c) => c.toFixed(2)).join(', ')}`
      );
      oneShard ??= { rate: points / seconds, cpuRate: points / busiest };
      entries.push(
        entry(
          `writer backfill ${series.length} series x ${BACKFILL_HOURS}h@1m, fits included, ${shards} shard(s) on ${CORES} cores: read+score+remote write (points/s per core)`,
          perCore,
          'proxy query path, same points, 1 core',
          proxyRate
        )
      );
      if (shards > 1) {
        // The hash split is uneven on few units: the busiest shard's share bounds what N shards gain.
        const perShard = Array.from({ length: shards }, () => 0);
        series.forEach((one) => perShard[shardOf(one.labels, shards)]++);
        const busiestSeries = Math.max(...perShard);
        progress(`${shards} shards: series per shard ${perShard.join(', ')}`);
        // Each shard reads only its own series (a plain selector is narrowed at the source), so the shards divide
        // the reading, fitting and scoring. Wall time: all shards at once on this machine's cores (shared with the
        // two Prometheus servers and whatever else runs). CPU time of the busiest shard: what N shards take on N
        // cores of their own (the shards share nothing but the upstream).
        entries.push(
          entry(
            `writer backfill ${shards} shards at once on ${CORES} cores: all shards together, wall clock (points/s)`,
            points / seconds,
            '1 shard alone (points/s)',
            oneShard.rate
          ),
          entry(
            `writer backfill ${shards} shards (busiest: ${busiestSeries} of ${series.length} series): points per CPU second of the busiest shard (= rate on ${shards} free cores)`,
            points / busiest,
            '1 shard (points per CPU second)',
            oneShard.cpuRate
          )
        );
      }
    }

    // Steady state: models cached, one new point per series per run.
    const liveFrom = endMs - TICKS * MINUTE;
    const logStream = new PassThrough();
    logStream.resume();
    let nowMs = liveFrom;
    const writer = new AnomalyWriter(parseWriterConfig(yaml('live'), 'bench'), { now: () => nowMs, logStream });
    const tickTimes = [];
    const proxyTickTimes = [];
    try {
      await writer.backfill(liveFrom - 30 * MINUTE, liveFrom);
      await writer.flush();
      await writer.resume();
      await withProxy(input.url, async (url) => {
        const warm = (t) =>
          Promise.all(
            ['anomaly_score', 'anomaly_flag', 'anomaly_threshold'].map(async (fn) => {
              const [chunk] = scoringChunks(job, t, t, 1);
              await queryRange(url, chunkQueryText(job, fn, chunk), t, t);
            })
          );
        await warm(liveFrom - MINUTE);
        for (let t = liveFrom + MINUTE; t <= endMs; t += MINUTE) {
          nowMs = t;
          tickTimes.push(
            await elapsedSeconds(async () => {
              await writer.runJob('bench', t);
              await writer.flush();
            })
          );
          proxyTickTimes.push(await elapsedSeconds(() => warm(t)));
        }
      });
    } finally {
      await writer.close();
    }
    const seriesPerSecond = series.length / median(tickTimes);
    const proxySeriesPerSecond = series.length / median(proxyTickTimes);
    progress(
      `steady state: median run ${median(tickTimes).toFixed(3)} s for ${series.length} series (proxy ${median(proxyTickTimes).toFixed(3)} s)`
    );
    entries.push(
      entry(
        `writer steady state ${series.length} series, 1 new point each, models cached: read+score+remote write (series/s per core)`,
        seriesPerSecond,
        'proxy query path, same points, 1 core',
        proxySeriesPerSecond
      ),
      entry(
        `writer sizing: series one core keeps up with at infer_every 1m (= 60 s x series/s above; target >= 100k)`,
        60 * seriesPerSecond,
        'target: 100k series per core',
        100_000,
        ' series/core'
      )
    );

    // A shard in steady state with its series listing kept between runs (series_refresh 10m, the default) against the
    // same shard listing /api/v1/series on every run (series_refresh 1ms), both run at each minute.
    const shardSeries = series.filter((one) => shardOf(one.labels, 2) === 0).length;
    const shardTicks = { kept: [], listing: [] };
    const shardWriters = Object.fromEntries(
      [
        ['kept', 600_000],
        ['listing', 1],
      ].map(([name, refreshMs]) => {
        const config = parseWriterConfig(yaml(`shard-${name}`), 'bench');
        config.shard = { index: 0, count: 2 };
        config.jobs[0].schedule.seriesRefreshMs = refreshMs;
        return [name, new AnomalyWriter(config, { now: () => nowMs, logStream })];
      })
    );
    try {
      nowMs = liveFrom;
      for (const shardWriter of Object.values(shardWriters)) {
        await shardWriter.backfill(liveFrom - 30 * MINUTE, liveFrom);
        await shardWriter.flush();
        await shardWriter.resume();
      }
      for (let t = liveFrom + MINUTE; t <= endMs; t += MINUTE) {
        nowMs = t;
        // Each minute the other one runs first (the first to read a minute may pay for the input's caches).
        const order = Object.entries(shardWriters);
        for (const [name, shardWriter] of (t / MINUTE) % 2 === 0 ? order : order.reverse()) {
          shardTicks[name].push(
            await elapsedSeconds(async () => {
              await shardWriter.runJob('bench', t);
              await shardWriter.flush();
            })
          );
        }
      }
    } finally {
      await Promise.all(Object.values(shardWriters).map((shardWriter) => shardWriter.close()));
    }
    progress(
      `steady state, shard 0/2 (${shardSeries} series): median run ${median(shardTicks.kept).toFixed(3)} s with the listing kept, ${median(shardTicks.listing).toFixed(3)} s listing every run`
    );
    entries.push(
      entry(
        `writer steady state, shard 0/2 (${shardSeries} series), series listing kept between runs: read+score+remote write (series/s per core)`,
        shardSeries / median(shardTicks.kept),
        'same shard listing /api/v1/series every run',
        shardSeries / median(shardTicks.listing)
      )
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([input.stop(), target.stop()]);
  }
  return entries;
}

async function withProxy(prometheusUrl, benchWith) {
  const config = parseConfig(
    [
      'listen: 127.0.0.1:0',
      `upstreams: { prom: { type: prometheus, url: ${JSON.stringify(prometheusUrl)} } }`,
      'workers: { training: 0 }',
      'limits: { maxSeriesPerQuery: 100000 }',
      'log: { level: warn }',
    ].join('\n'),
    'bench proxy config'
  );
  const logStream = new PassThrough();
  logStream.resume();
  const proxy = await startProxy(config, { logStream });
  try {
    return await benchWith(proxy.url);
  } finally {
    await proxy.close();
  }
}

async function queryRange(baseUrl, query, startMs, endMs) {
  const body = new URLSearchParams({ query, start: String(startMs / 1000), end: String(endMs / 1000), step: '60' });
  const response = await fetch(`${baseUrl}/api/v1/query_range`, { method: 'POST', body });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${baseUrl} answered ${response.status} to ${query}: ${text.slice(0, 500)}`);
  }
  return text;
}

/** Samples of the three written metrics with `matchers` the target holds over the last 2 days, once the count settles. */
async function countSamples(url, matchers, atMs) {
  let last = -1;
  for (;;) {
    let count = 0;
    for (const metric of ['anomaly_score', 'anomaly_flag', 'anomaly_threshold']) {
      const query = `sum(count_over_time(${metric}${matchers}[2d]))`;
      const body = new URLSearchParams({ query, time: String(atMs / 1000) });
      const answer = await (await fetch(`${url}/api/v1/query`, { method: 'POST', body })).json();
      if (answer.status !== 'success') {
        throw new Error(`${query}: ${answer.error}`);
      }
      count += Number(answer.data.result[0]?.value[1] ?? 0);
    }
    if (count === last) {
      return count;
    }
    last = count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Samples a backfill's read-back found missing in the target after it had accepted them, and sent again (its warning
 * log lines: docs/scale.md, "Backfill read-back").
 */
function resentSamples(stdout) {
  return stdout
    .split('\n')
    .filter((line) => line.includes('the target lacks samples it accepted'))
    .reduce((n, line) => n + JSON.parse(line).missing, 0);
}

function progress(message) {
  process.stderr.write(`  writer: ${message}\n`);
}

module.exports = { run };
