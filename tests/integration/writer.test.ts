/**
 * The writer (pkg/writer) end to end against real servers started here: input from a Prometheus 2.42 backfilled with
 * promtool, anomaly series remote-written into Prometheus 2.42 (--web.enable-remote-write-receiver) and into
 * single-node VictoriaMetrics, and the anomaly proxy answering the same queries. Runs are driven through time with
 * the writer's clock over the backfilled history; every wait is for a state.
 */
import {
  AnomalyWriter,
  REFUSED_BATCHES_UNHEALTHY,
  RemoteWriteClient,
  chunkQueryText,
  REMOTE_WRITE_HEADERS,
  decodeWriteRequest,
  encodeWriteRequest,
  parseWriterConfig,
  shardOf,
  type WriterConfig,
} from '@telemetry-analyzer/writer';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { findFreePort } from '../support/freePort';
import { startInfluxDB } from '../support/influxdb';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, startProxyUnderTest } from '../support/proxyUnderTest';
import {
  RawSeries,
  RemoteWriteTarget,
  rawSamples,
  startPrometheusReceiver,
  startVictoriaMetrics,
} from '../support/remoteWriteTargets';
import { makeTempDir, removeTempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitUntil';
import { repoPath } from './stackFiles';
import { jsonLogLines, parseOpenMetrics, runNode } from './stackProcesses';
import { buildWorkspaces } from '../../pkg/buildWorkspaces';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
/** 14 h of 1-minute data ending about 2 h ago. */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 16 * HOUR;
const POINTS = 14 * 60;
/** The first live run: 8 h into the data, so a 6 h fit window is all history. */
const LIVE_START = T0 + 8 * HOUR + 10 * MINUTE;
const JOB_OPTIONS = { contamination: 0.02, trees: 40, window: 6, step: '1m' };

function inputSeries() {
  return HOSTS.map((host, h) => {
    const timestampsMs = Array.from({ length: POINTS }, (_, i) => T0 + i * MINUTE);
    let seed = 7 + h;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4;
    const values = timestampsMs.map((t, i) => {
      const base = 40 + 10 * h + 8 * Math.sin((2 * Math.PI * (t - T0)) / HOUR) + noise();
      return i === 540 + 7 * h ? base + 45 : base; // one spike per host in the live range
    });
    return { metric: 'cpu_usage_percent', labels: { host }, timestampsMs, values };
  });
}

/** The CLI's workspaces compiled once for the tests that run `telemetry-analyzer run` as a process. */
let cliBuilt = false;
function buildCliOnce(): void {
  if (!cliBuilt) {
    buildWorkspaces();
    cliBuilt = true;
  }
}

let input: PrometheusServer;
let promTarget: RemoteWriteTarget;
let vm: RemoteWriteTarget;
let proxy: ProxyUnderTest;
const writers: AnomalyWriter[] = [];

beforeAll(async () => {
  input = await startPrometheus({ series: inputSeries() });
  promTarget = await startPrometheusReceiver();
  vm = await startVictoriaMetrics();
  proxy = await startProxyUnderTest({ prometheusUrl: input.url });
});

afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([input?.stop(), promTarget?.stop(), vm?.stop()]);
});

interface WriterSetup {
  target: RemoteWriteTarget;
  externalLabels?: Record<string, string>;
  shard?: string;
  queueSamples?: number;
  /** The job's query [cpu_usage_percent from the input Prometheus]. */
  query?: string;
  /** Further upstreams, YAML lines under `upstreams:`. */
  upstreamLines?: string[];
  /** modelStore.directory [none: models in memory only]. */
  modelStore?: string;
  /** The job's options [JOB_OPTIONS]. */
  options?: Record<string, string | number | boolean>;
  /** remoteWrite.readBack [target: the TSDB written to]. */
  readBack?: string;
  logLevel?: string;
  /** remoteWrite.url [the target's]. */
  writeUrl?: string;
  /** Added to the job's schedule, e.g. `series_refresh: 10m`. */
  scheduleExtra?: string;
  /** The job's fit_every [1h]. */
  fitEvery?: string;
  /** remoteWrite.batchSamples [1000]. */
  batchSamples?: number;
  /** shutdownGrace [60s]. */
  shutdownGrace?: string;
  /** remoteWrite.auth's bearer token [none]. */
  bearerToken?: string;
  /** remoteWrite.readBackSettle [10s]. */
  readBackSettle?: string;
}

function writerConfig(setup: WriterSetup): WriterConfig {
  return parseWriterConfig(writerYaml(setup), 'writer test config');
}

function writerYaml(setup: WriterSetup, listen = '127.0.0.1:0'): string {
  return [
    `listen: ${listen}`,
    'defaultUpstream: input',
    'upstreams:',
    `  input: { type: prometheus, url: ${input.url} }`,
    `  target: { type: prometheus, url: ${setup.target.url} }`,
    ...(setup.upstreamLines ?? []),
    'remoteWrite:',
    `  url: ${setup.writeUrl ?? setup.target.writeUrl}`,
    `  readBack: ${setup.readBack ?? 'target'}`,
    `  batchSamples: ${setup.batchSamples ?? 1000}`,
    `  queueSamples: ${setup.queueSamples ?? 1_000_000}`,
    ...(setup.bearerToken ? [`  auth: { bearer: { token: ${JSON.stringify(setup.bearerToken)} } }`] : []),
    '  minBackoff: 50ms',
    '  maxBackoff: 500ms',
    // VictoriaMetrics here serves what it accepted within seconds (-search.latencyOffset=0s).
    `  readBackSettle: ${setup.readBackSettle ?? '10s'}`,
    `  externalLabels: ${JSON.stringify(setup.externalLabels ?? {})}`,
    ...(setup.shard ? [`shard: "${setup.shard}"`] : []),
    'workers: { training: 0 }',
    ...(setup.modelStore ? [`modelStore: { directory: ${JSON.stringify(setup.modelStore)} }`] : []),
    `shutdownGrace: ${setup.shutdownGrace ?? '60s'}`,
    `log: { level: ${setup.logLevel ?? 'warn'} }`,
    'jobs:',
    '  - name: cpu',
    `    query: ${JSON.stringify(setup.query ?? 'cpu_usage_percent')}`,
    `    options: ${JSON.stringify(setup.options ?? JOB_OPTIONS)}`,
    `    schedule: { infer_every: 5m, fit_every: ${setup.fitEvery ?? '1h'}, fit_window: 6h${setup.scheduleExtra ? `, ${setup.scheduleExtra}` : ''} }`,
  ].join('\n');
}

/** A writer whose clock the test moves, and its JSON log lines. */
function newWriter(setup: WriterSetup) {
  const clock = { now: LIVE_START };
  const logStream = new PassThrough();
  let log = '';
  logStream.on('data', (chunk) => (log += chunk));
  const writer = new AnomalyWriter(writerConfig(setup), { now: () => clock.now, logStream });
  writers.push(writer);
  return { writer, clock, logLines: () => jsonLogLines(log) };
}

/**
 * In front of a remote-write target (VictoriaMetrics keeps duplicates): passes requests while `budget` lasts and
 * answers 503 after it, counting those passed.
 */
async function budgetFront(
  writeUrl: string
): Promise<{ url: string; passed: number; budget: number; close(): Promise<void> }> {
  const front = {
    url: '',
    passed: 0,
    budget: Infinity,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      if (front.passed >= front.budget) {
        response.writeHead(503).end('down');
        return;
      }
      front.passed++;
      const upstream = httpRequest(writeUrl, { method: 'POST', headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  return front;
}

/** Runs the job as the live schedule would, every 5 minutes from `fromMs` to `toMs`. */
async function runLive(w: ReturnType<typeof newWriter>, fromMs: number, toMs: number): Promise<void> {
  for (let t = fromMs; t <= toMs; t += 5 * MINUTE) {
    w.clock.now = t;
    await w.writer.runJob('cpu', t);
  }
  await w.writer.flush();
}

const labelsWithout = (labels: Record<string, string>, drop: string[]) =>
  JSON.stringify(
    Object.fromEntries(
      Object.entries(labels)
        .filter(([k]) => !drop.includes(k))
        .sort()
    )
  );

/** name{...} series of `selector` keyed by their labels without `drop`, waiting until `expectedSamples` are served. */
async function written(
  target: RemoteWriteTarget,
  selector: string,
  expectedSamples: number,
  drop: string[] = []
): Promise<Map<string, Array<[number, number]>>> {
  let got: RawSeries[] = [];
  await waitUntil(
    async () => {
      got = await rawSamples(target, selector, T0 + 20 * HOUR, 20 * 3600);
      return got.reduce((n, s) => n + s.samples.length, 0) >= expectedSamples ? true : undefined;
    },
    {
      timeoutMs: 30_000,
      describe: () =>
        `${expectedSamples} samples of ${selector} in ${target.kind} (have ${got.reduce((n, s) => n + s.samples.length, 0)})\n${target.outputTail()}`,
    }
  );
  const map = new Map<string, Array<[number, number]>>();
  for (const s of got) {
    const key = labelsWithout(s.labels, ['__name__', 'anomaly_job', ...drop]);
    expect(map.has(key)).toBe(false); // each series once
    map.set(key, s.samples);
  }
  return map;
}

const sampleCount = (m: Map<string, Array<[number, number]>>) => [...m.values()].reduce((n, s) => n + s.length, 0);

/**
 * Every output of run="<run>" in VictoriaMetrics from LIVE_START - 4 min to `end` equals, sample for sample, what the
 * writer that never stopped (run="<run>-reference") wrote: each point once.
 */
async function expectWrittenAsReference(run: string, end: number): Promise<void> {
  const points = (end - (LIVE_START - 4 * MINUTE)) / MINUTE + 1;
  for (const metric of ['anomaly_score', 'anomaly_flag', 'anomaly_threshold']) {
    const expected = await written(vm, `${metric}{run="${run}-reference"}`, HOSTS.length * points, ['run']);
    const got = await written(vm, `${metric}{run="${run}"}`, HOSTS.length * points, ['run']);
    expect(sampleCount(got)).toBe(HOSTS.length * points); // every point once
    expect(got).toEqual(expected);
  }
}

/** The proxy's answers to the writer's queries per fit period (the model the schedule fit at F), keyed by labels. */
async function proxyAnswers(
  proxyUrl: string,
  job: WriterConfig['jobs'][number],
  fn: 'anomaly_score' | 'anomaly_flag' | 'anomaly_threshold',
  from: number,
  end: number
): Promise<Map<string, Array<[number, number]>>> {
  const fromProxy = new Map<string, Array<[number, number]>>();
  for (let fit = Math.floor(from / HOUR) * HOUR; fit <= end; fit += HOUR) {
    const start = Math.max(from, fit);
    const stop = Math.min(end, fit + HOUR - MINUTE);
    const query = chunkQueryText(job, fn, { trainStartMs: fit - 6 * HOUR, trainEndMs: fit - MINUTE });
    const response = await fetch(`${proxyUrl}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query, start: String(start / 1000), end: String(stop / 1000), step: '60' }),
    });
    const body = (await response.json()) as {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    expect(response.status).toBe(200);
    for (const r of body.data.result) {
      const key = labelsWithout(r.metric, []);
      fromProxy.set(key, [
        ...(fromProxy.get(key) ?? []),
        ...r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
      ]);
    }
  }
  return fromProxy;
}

describe('anomaly writer', () => {
  it('writes anomaly_score, anomaly_flag and anomaly_threshold into Prometheus equal, point for point, to what the proxy answers', async () => {
    const w = newWriter({ target: promTarget });
    await w.writer.resume();
    const end = LIVE_START + 95 * MINUTE; // crosses two fit times
    await runLive(w, LIVE_START, end);
    const points = (end - (LIVE_START - 4 * MINUTE)) / MINUTE + 1;
    const job = w.writer.config.jobs[0];
    for (const [fn, metric] of [
      ['anomaly_score', 'anomaly_score'],
      ['anomaly_flag', 'anomaly_flag'],
      ['anomaly_threshold', 'anomaly_threshold'],
    ] as const) {
      const stored = await written(promTarget, `${metric}{anomaly_job="cpu"}`, HOSTS.length * points);
      expect([...stored.keys()].sort()).toEqual(HOSTS.map((host) => JSON.stringify({ host })).sort());
      const fromProxy = await proxyAnswers(proxy.url, job, fn, LIVE_START - 4 * MINUTE, end);
      expect(stored).toEqual(fromProxy);
      if (fn === 'anomaly_flag') {
        // The spikes are in the range, and flagged.
        expect([...stored.values()].flat().filter(([, v]) => v === 1).length).toBeGreaterThan(0);
      }
    }
  });

  it('an online=true job writes the calibrated scores, flags and thresholds the proxy answers in its online mode', async () => {
    const w = newWriter({
      target: promTarget,
      externalLabels: { run: 'online' },
      options: { ...JOB_OPTIONS, online: true },
    });
    await w.writer.resume();
    const end = LIVE_START + 65 * MINUTE; // crosses a fit time: a new training window
    await runLive(w, LIVE_START, end);
    const from = LIVE_START - 4 * MINUTE;
    const points = (end - from) / MINUTE + 1;
    const job = w.writer.config.jobs[0];
    expect(job.parsed.options.online).toBe(true);
    for (const fn of ['anomaly_score', 'anomaly_flag', 'anomaly_threshold'] as const) {
      const stored = await written(promTarget, `${fn}{run="online"}`, HOSTS.length * points, ['run']);
      expect(stored.size).toBe(HOSTS.length);
      expect(stored).toEqual(await proxyAnswers(proxy.url, job, fn, from, end));
      if (fn === 'anomaly_score') {
        // Calibrated: scores are probabilities, not the raw isolation-forest scores a stored model writes.
        expect([...stored.values()].flat().every(([, v]) => v >= 0 && v <= 1)).toBe(true);
      }
    }
  });

  it('resumes after a restart from what the TSDB holds: no gap, no duplicate, nothing resent, and survives the target going down', async () => {
    const end = LIVE_START + 60 * MINUTE;
    const single = newWriter({ target: vm, externalLabels: { run: 'single' } });
    await single.writer.resume();
    await runLive(single, LIVE_START, end);

    const models = makeTempDir('writer-models');
    const first = newWriter({ target: vm, externalLabels: { run: 'restarted' }, modelStore: models });
    await first.writer.resume();
    await runLive(first, LIVE_START, LIVE_START + 25 * MINUTE);
    await first.writer.close();
    // Restarted: it resumes from what the TSDB serves (once it serves all the first writer sent).
    await written(vm, 'anomaly_score{run="restarted"}', HOSTS.length * 30, ['run']);
    const second = newWriter({ target: vm, externalLabels: { run: 'restarted' }, modelStore: models });
    second.clock.now = LIVE_START + 30 * MINUTE;
    await second.writer.resume();
    // The target goes down: the writer's samples wait in its queue and are retried until it is back.
    await vm.stopProcess();
    for (let t = LIVE_START + 30 * MINUTE; t <= end; t += 5 * MINUTE) {
      second.clock.now = t;
      await second.writer.runJob('cpu', t);
    }
    await waitUntil(
      async () => ((await second.writer.metrics.writeFailures.get()).values.length > 0 ? true : undefined),
      {
        timeoutMs: 10_000,
        describe: () => 'a failed remote write while the target is down',
      }
    );
    await vm.startProcess();
    await second.writer.flush();

    const points = (end - (LIVE_START - 4 * MINUTE)) / MINUTE + 1;
    const expected = await written(vm, 'anomaly_score{run="single"}', HOSTS.length * points, ['run']);
    const restarted = await written(vm, 'anomaly_score{run="restarted"}', HOSTS.length * points, ['run']);
    expect(restarted).toEqual(expected);
    for (const samples of restarted.values()) {
      const times = samples.map(([t]) => t);
      expect(times).toEqual(Array.from({ length: points }, (_, i) => LIVE_START - 4 * MINUTE + i * MINUTE));
    }
    // The second writer wrote only what the first had not: 30 new points per series, three metrics.
    const sent = (await second.writer.metrics.samplesWritten.get()).values[0].value;
    expect(sent).toBe(HOSTS.length * 3 * ((end - (LIVE_START + 25 * MINUTE)) / MINUTE));
    expect((await second.writer.metrics.samplesDropped.get()).values.reduce((n, v) => n + v.value, 0)).toBe(0);
    // Models persist in the proxy's store format: the restarted writer loads the fit it resumes in and fits only the
    // next one (one model per host).
    expect((await first.writer.metrics.trainings.get()).values[0].value).toBe(HOSTS.length);
    expect((await second.writer.metrics.trainings.get()).values[0].value).toBe(HOSTS.length);
    removeTempDir(models);
  });

  it('keeps input labels named like its own as exported_<name>: series differing only in them stay apart, and a restarted shard resumes them', async () => {
    // `host` tells the input series apart; as an external label, it used to overwrite the input's: six hosts, one
    // written series.
    const end = LIVE_START + 20 * MINUTE;
    const points = (end - (LIVE_START - 4 * MINUTE)) / MINUTE + 1;
    const plain = newWriter({ target: vm, externalLabels: { run: 'exported-plain' } });
    await runLive(plain, LIVE_START, end);
    const colliding = newWriter({ target: vm, externalLabels: { run: 'exported', host: 'writer-1' } });
    await runLive(colliding, LIVE_START, end);
    const expected = await written(vm, 'anomaly_score{run="exported-plain"}', HOSTS.length * points, ['run']);
    const got = await written(vm, 'anomaly_score{run="exported"}', HOSTS.length * points, ['run', 'host']);
    expect(got.size).toBe(HOSTS.length);
    expect(new Map([...got].map(([key, samples]) => [key.replace('exported_host', 'host'), samples]))).toEqual(
      expected
    );
    // A shard keys written series by the input's labels: a restarted shard finds its own series and resumes each.
    const shard = (label: string) =>
      newWriter({
        target: vm,
        externalLabels: { run: 'exported-shard', host: 'writer-1' },
        shard: '0/2',
        modelStore: label,
      });
    const models = makeTempDir('writer-exported');
    const first = shard(models);
    await first.writer.resume();
    await runLive(first, LIVE_START, LIVE_START + 10 * MINUTE);
    await first.writer.close();
    const before = await rawSamples(vm, 'anomaly_score{run="exported-shard"}', T0 + 20 * HOUR, 20 * 3600);
    expect(before.length).toBeGreaterThan(0);
    const second = shard(models);
    second.clock.now = LIVE_START + 15 * MINUTE;
    await second.writer.resume();
    await runLive(second, LIVE_START + 15 * MINUTE, end);
    const resumed = await written(vm, 'anomaly_score{run="exported-shard"}', before.length * points, ['run', 'host']);
    expect(resumed.size).toBe(before.length);
    for (const [key, samples] of resumed) {
      expect(samples).toEqual(got.get(key)); // no gap, no duplicate
    }
    removeTempDir(models);
  });

  it('a writer that died with part of a run sent resumes each series after its own last sample: no gap, no duplicate', async () => {
    const end = LIVE_START + 40 * MINUTE;
    const reference = newWriter({ target: vm, externalLabels: { run: 'died-reference' } });
    await reference.writer.resume();
    await runLive(reference, LIVE_START, end);
    const front = await budgetFront(vm.writeUrl);
    const died = 'anomaly_job="cpu",run="died"';
    const heldSamples = async () =>
      (await rawSamples(vm, `{${died}}`, T0 + 20 * HOUR, 72000)).reduce((n, s) => n + s.samples.length, 0);
    try {
      const dying = newWriter({
        target: vm,
        externalLabels: { run: 'died' },
        writeUrl: front.url,
        batchSamples: 20,
        shutdownGrace: '100ms',
      });
      await dying.writer.resume();
      await runLive(dying, LIVE_START, LIVE_START + 5 * MINUTE); // 2 runs, all sent: 2 x 5 points x 6 hosts x 3
      // The third run queues its 90 samples at once: scores of h1-h6, flags, thresholds, 20 per request. Only the
      // first request passes (scores of h1-h4), then the writer dies with the rest queued (as a SIGKILL leaves it).
      front.budget = front.passed + 1;
      dying.clock.now = LIVE_START + 10 * MINUTE;
      await dying.writer.runJob('cpu', LIVE_START + 10 * MINUTE);
      await dying.writer.close();
      expect(front.passed).toBe(front.budget);
      expect((await dying.writer.metrics.samplesDropped.get()).values).toEqual([
        expect.objectContaining({ labels: { reason: 'shutdown' }, value: 70 }),
      ]);
    } finally {
      await front.close();
    }
    let held = 0;
    await waitUntil(async () => ((held = await heldSamples()) >= 2 * 90 + 20 ? true : undefined), {
      timeoutMs: 30_000,
      describe: () => `the 200 samples sent before the writer died (${held} served)`,
    });
    const restarted = newWriter({ target: vm, externalLabels: { run: 'died' } });
    restarted.clock.now = LIVE_START + 15 * MINUTE;
    await restarted.writer.resume();
    await runLive(restarted, LIVE_START + 15 * MINUTE, end);
    await expectWrittenAsReference('died', end);
  });

  it('a writer cut in a catch-up of hours (fit_every 6h: its flags and thresholds behind its scores) resumes each output where it stopped: no gap, no duplicate', async () => {
    const end = LIVE_START + 200 * MINUTE;
    const reference = newWriter({ target: vm, externalLabels: { run: 'cut-reference' }, fitEvery: '6h' });
    await reference.writer.resume();
    await runLive(reference, LIVE_START, end);
    const front = await budgetFront(vm.writeUrl);
    try {
      const cut = newWriter({
        target: vm,
        externalLabels: { run: 'cut' },
        fitEvery: '6h',
        writeUrl: front.url,
        batchSamples: 100,
        shutdownGrace: '100ms',
      });
      await cut.writer.resume();
      await runLive(cut, LIVE_START, LIVE_START + 5 * MINUTE);
      // Then a catch-up of 3 h in one chunk (no fit time in it): 180 points of 6 hosts, scores queued first, then
      // flags, then thresholds. The scores and some flags get through before the target stops taking requests and
      // the writer stops: the other flags and every threshold stay 3 h behind the scores.
      front.budget = front.passed + 13;
      cut.clock.now = LIVE_START + 185 * MINUTE;
      await cut.writer.runJob('cpu', cut.clock.now);
      await cut.writer.close();
      expect(front.passed).toBe(front.budget);
      const dropped = (await cut.writer.metrics.samplesDropped.get()).values;
      expect(dropped.reduce((n, v) => n + v.value, 0)).toBeGreaterThan(HOSTS.length * 180);
    } finally {
      await front.close();
    }
    await vm.flush(); // what was sent is served (VictoriaMetrics serves new samples seconds after a write)
    const restarted = newWriter({ target: vm, externalLabels: { run: 'cut' }, fitEvery: '6h' });
    restarted.clock.now = LIVE_START + 190 * MINUTE;
    await restarted.writer.resume();
    await runLive(restarted, LIVE_START + 190 * MINUTE, end);
    await expectWrittenAsReference('cut', end);
  });

  it('remote write into Prometheus 2.42: a 503 and a 429 are retried until it takes the samples; what it refuses (a 400, a 500 "too old sample") is neither retried nor lost silently', async () => {
    // A front before the real Prometheus answers the first request 503 and the second 429, then passes them on,
    // keeping Prometheus' own status.
    const answered: number[] = [];
    const front = createServer((request, response) => {
      const body: Buffer[] = [];
      request.on('data', (chunk: Buffer) => body.push(chunk));
      request.on('end', () => {
        if (answered.length < 2) {
          answered.push(answered.length === 0 ? 503 : 429);
          response.writeHead(answered[answered.length - 1]).end('not now');
          return;
        }
        const upstream = httpRequest(promTarget.writeUrl, { method: 'POST', headers: request.headers }, (answer) => {
          answered.push(answer.statusCode ?? 0);
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        });
        upstream.end(Buffer.concat(body));
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const counts = { sent: 0, retries: [] as Array<number | string>, rejected: [] as Array<[number, string]> };
      const client = new RemoteWriteClient(
        {
          url: `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/v1/write`,
          timeoutMs: 10_000,
          auth: {},
          batchSamples: 1000,
          queueSamples: 1000,
          minBackoffMs: 10,
          maxBackoffMs: 100,
        },
        {
          onSent: (samples) => (counts.sent += samples),
          onRetry: (status) => counts.retries.push(status),
          onRejected: (samples, status, body) => counts.rejected.push([status, `${samples}: ${body}`]),
          onDropped: () => undefined,
          onQueueChange: () => undefined,
        }
      );
      const probe = (which: string, timestamps: number[]) => ({
        labels: [
          { name: '__name__', value: 'remote_write_probe' },
          { name: 'case', value: which },
        ],
        timestamps,
        values: timestamps.map((_, i) => i),
      });
      // Sent, or failed with what the front and Prometheus answered (instead of retrying until the test times out).
      const settled = async () => {
        const timeout = new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`not settled, answers: ${JSON.stringify(answered)}`)), 30_000).unref()
        );
        await Promise.race([client.flush(), timeout]);
      };
      const now = Math.floor(Date.now() / MINUTE) * MINUTE;
      await client.enqueue([probe('retried', [1, 2, 3, 4, 5].map((i) => now - i * MINUTE).reverse())], false);
      await settled();
      expect(counts.retries).toEqual([503, 429]);
      expect(counts.sent).toBe(5);
      // Another value at the newest timestamp of that series: Prometheus refuses it with a 400.
      await client.enqueue([{ ...probe('retried', [now - MINUTE]), values: [42] }], false);
      await settled();
      expect(answered).toEqual([503, 429, 204, 400]); // the 400 was not retried
      expect(counts.rejected).toEqual([[400, expect.stringMatching(/^1: .*duplicate sample for timestamp/)]]);
      expect(counts.retries).toHaveLength(2);
      // 40 days old, beyond its 30-day out-of-order window: Prometheus 2.42 answers 500 "too old sample", which no
      // retry can change, so it is counted as rejected instead of blocking the queue for good.
      await client.enqueue([probe('too-old', [now - 40 * 86_400_000])], false);
      await settled();
      expect(answered).toEqual([503, 429, 204, 400, 500]);
      expect(counts.rejected[1]).toEqual([500, expect.stringMatching(/^1: too old sample/)]);
      expect(counts.retries).toHaveLength(2);
      let held: RawSeries[] = [];
      await waitUntil(
        async () => {
          held = await rawSamples(promTarget, 'remote_write_probe', now, 3600);
          return held.length > 0 ? true : undefined;
        },
        { timeoutMs: 30_000, describe: () => 'the retried samples in Prometheus' }
      );
      expect(held.map((s) => [s.labels.case, s.samples.map(([, v]) => v)])).toEqual([['retried', [0, 1, 2, 3, 4]]]);
    } finally {
      await front.close();
    }
  });

  it.each([
    [400, 'out of bounds', /out_of_order_time_window/],
    // An install review: a wrong password was met with the out-of-order advice too.
    [401, 'bad credentials', /refused the writer's credentials: check remoteWrite\.auth/],
  ])(
    'a backfill the target refuses (HTTP %s) fails after its first read-back, naming the refusal and what to do, not after rounds of resending',
    async (status, answer, advice) => {
      // A review: Prometheus without out_of_order_time_window answered 400 "out of bounds" to a past range; the writer
      // sent the same samples again in five rounds a minute apart and failed after ~6 minutes, saying it "lacks samples it
      // accepted".
      const front = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(status).end(answer));
      });
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      try {
        const writeUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/v1/write`;
        // Nothing is ever taken: a short settle is enough to see it (the default waits 10 s for VictoriaMetrics).
        const w = newWriter({
          target: vm,
          writeUrl,
          externalLabels: { run: 'refused-backfill' },
          readBackSettle: '1s',
        });
        w.clock.now = LIVE_START;
        const failure = await w.writer.backfill(LIVE_START - 4 * MINUTE, LIVE_START).then(
          () => undefined,
          (error: unknown) => error
        );
        expect(String(failure)).toMatch(
          new RegExp(
            `the target refused \\d+ of its samples \\(HTTP ${status}: ${answer}\\).*sending them again cannot help`
          )
        );
        expect(String(failure)).toMatch(advice);
        if (status === 401) {
          expect(String(failure)).not.toMatch(/out_of_order/);
        }
        expect(w.logLines().some((line) => /sending them again/.test(line.msg))).toBe(false);
      } finally {
        front.close();
      }
    }
  );

  it('keeps the remote-write credentials out of its log lines, also when the target quotes them back', async () => {
    const token = 'writer-secret-TOKEN-42';
    const front = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(401).end(`denied: Authorization: ${request.headers.authorization}`));
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const writeUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/v1/write`;
      const w = newWriter({ target: promTarget, writeUrl, bearerToken: token, logLevel: 'info' });
      await runLive(w, LIVE_START, LIVE_START);
      const lines = w.logLines();
      expect(lines.some((line) => /refused a batch/.test(line.msg) && /\[redacted\]/.test(line.body))).toBe(true);
      expect(JSON.stringify(lines)).not.toContain(token);
      expect(JSON.stringify(lines)).not.toContain(Buffer.from(token).toString('base64'));
    } finally {
      front.close();
    }
  });

  it('counts the samples it drops beyond its queue bound while the target is down', async () => {
    const w = newWriter({ target: vm, externalLabels: { run: 'bounded' }, queueSamples: 50 });
    await vm.stopProcess();
    try {
      w.clock.now = LIVE_START;
      await w.writer.runJob('cpu', LIVE_START); // 5 points x 6 hosts x 3 metrics = 90 samples
    } finally {
      await vm.startProcess();
    }
    await w.writer.flush();
    const dropped = (await w.writer.metrics.samplesDropped.get()).values.find((v) => v.labels.reason === 'queue_full');
    expect(dropped?.value).toBe(40);
    expect((await w.writer.metrics.samplesWritten.get()).values[0].value).toBe(50);
    // What the `stopped` line says: the 40 never entered the queue, so queued = written (a review found them counted
    // as queued and dropped both).
    expect(await w.writer.sampleTotals()).toEqual({ queued: 50, written: 50, rejected: 0, dropped: 0, notQueued: 40 });
    // The 50 the queue kept are in the target once it is back: nothing within the bound was lost.
    let held = 0;
    await waitUntil(
      async () => {
        const got = await rawSamples(vm, '{anomaly_job="cpu",run="bounded"}', T0 + 20 * HOUR, 72000);
        held = got.reduce((n, one) => n + one.samples.length, 0);
        return held >= 50 ? true : undefined;
      },
      { timeoutMs: 30_000, describe: () => `the 50 kept samples in VictoriaMetrics (${held} served)` }
    );
    expect(held).toBe(50);
  });

  it('a job that writes nothing (its query matches no series) says so once, and its lag and /healthz do not look healthy', async () => {
    // A review: a misspelt metric ran "ok" every minute with lag_seconds at the schedule's delay, /healthz moving on,
    // and not a log line.
    const created = Date.now();
    const w = newWriter({ target: vm, externalLabels: { run: 'silent' }, query: 'no_such_metric' });
    const { url } = await w.writer.start();
    const lag = async () =>
      Number(
        /^telemetry_writer_lag_seconds\{job="cpu"\} (\S+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]
      );
    for (const minutes of [0, 1, 2]) {
      await w.writer.runJob('cpu', LIVE_START + minutes * MINUTE);
    }
    // Measured from the writer's start (nothing written), not from the cursor its empty runs moved on: that was
    // LIVE_START + 2 min, ~8 h before now, and lag_seconds showed the schedule's delay past it as if all were well.
    const sinceStart = await lag();
    expect(sinceStart).toBeGreaterThanOrEqual(0);
    expect(sinceStart).toBeLessThanOrEqual((Date.now() - created) / 1000);
    const warnings = w.logLines().filter((line) => line.msg?.startsWith('run wrote nothing'));
    expect(warnings).toEqual([expect.objectContaining({ level: 40, job: 'cpu', query: 'no_such_metric' })]);
    const health = (await (await fetch(`${url}/healthz`)).json()) as { lastScored: unknown };
    expect(health.lastScored).toEqual({ cpu: null });
    // Every run "ok" (the schedule's own runs too): the query itself is fine, only empty.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(
      Number(/^telemetry_writer_runs_total\{job="cpu",outcome="ok"\} (\d+)/m.exec(metrics)?.[1])
    ).toBeGreaterThanOrEqual(4);
  });

  it('a target that refuses every write (401) makes /healthz 503 naming the job and the status, with lastScored and lag not moving on; accepted again, healthy', async () => {
    // A review: with every write answered 401, /healthz said ok, lastScored and lag_seconds moved on with the samples
    // queued, and only samples_rejected_total told.
    let refusing = true;
    const front = createServer((request, response) => {
      const body: Buffer[] = [];
      request.on('data', (chunk: Buffer) => body.push(chunk));
      request.on('end', () => {
        if (refusing) {
          // What a target says to credentials it does not take, quoting them back (as some proxies in front do).
          response.writeHead(401).end(`Unauthorized: ${request.headers.authorization}`);
          return;
        }
        const upstream = httpRequest(vm.writeUrl, { method: 'POST', headers: request.headers }, (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        });
        upstream.end(Buffer.concat(body));
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const w = newWriter({
        target: vm,
        writeUrl: `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/v1/write`,
        externalLabels: { run: 'refused' },
        bearerToken: 'refused-token-secret',
      });
      const { url } = await w.writer.start();
      const read = async () => {
        const response = await fetch(`${url}/healthz`);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        return {
          status: response.status,
          text: await response.text(),
          lastScoredMetric: /^telemetry_writer_last_scored_timestamp_seconds\{job="cpu"\} (\S+)/m.exec(metrics)?.[1],
        };
      };
      // Runs every 5 minutes, each refused (its batch sent before the next: flush).
      for (let run = 0; run < REFUSED_BATCHES_UNHEALTHY; run++) {
        w.clock.now = LIVE_START + run * 5 * MINUTE;
        await w.writer.runJob('cpu', w.clock.now);
        await w.writer.flush();
      }
      const refused = await read();
      expect(refused.status).toBe(503);
      const body = JSON.parse(refused.text);
      expect(body).toMatchObject({ status: 'failing', lastScored: { cpu: null } });
      expect(body.failing).toBeUndefined(); // its runs did not fail: its samples were refused
      expect(body.refused).toEqual({
        cpu: {
          status: 401,
          batches: expect.any(Number),
          samples: expect.any(Number),
          since: expect.any(String),
          answer: expect.stringMatching(/^Unauthorized: Bearer /),
        },
      });
      expect(body.refused.cpu.batches).toBeGreaterThanOrEqual(REFUSED_BATCHES_UNHEALTHY);
      expect(refused.text).not.toContain('refused-token-secret');
      expect(refused.lastScoredMetric).toBeUndefined();

      // The target takes the writes again: the next run's samples are accepted, /healthz is 200 and names them.
      refusing = false;
      w.clock.now = LIVE_START + REFUSED_BATCHES_UNHEALTHY * 5 * MINUTE;
      await w.writer.runJob('cpu', w.clock.now);
      await w.writer.flush();
      const accepted = await read();
      expect(accepted.status).toBe(200);
      expect(JSON.parse(accepted.text)).toMatchObject({
        status: 'ok',
        lastScored: { cpu: new Date(w.clock.now).toISOString() },
      });
      expect(Number(accepted.lastScoredMetric)).toBe(w.clock.now / 1000);
    } finally {
      await new Promise<void>((resolve) => front.close(() => resolve()));
    }
  });

  it('3 shards write exactly the series one writer writes, each once; 2 replicas write identical samples', async () => {
    const end = LIVE_START + 30 * MINUTE;
    const points = (end - (LIVE_START - 4 * MINUTE)) / MINUTE + 1;
    const one = newWriter({ target: vm, externalLabels: { setup: 'one' } });
    await runLive(one, LIVE_START, end);
    const shards = [0, 1, 2].map((i) =>
      newWriter({ target: vm, externalLabels: { setup: 'sharded', shard: String(i) }, shard: `${i}/3` })
    );
    for (const shard of shards) {
      await runLive(shard, LIVE_START, end);
    }
    const replicas = ['a', 'b'].map((r) => newWriter({ target: vm, externalLabels: { setup: 'ha', replica: r } }));
    for (const replica of replicas) {
      await runLive(replica, LIVE_START, end);
    }
    const single = await written(vm, 'anomaly_score{setup="one"}', HOSTS.length * points, ['setup']);
    const sharded = await written(vm, 'anomaly_score{setup="sharded"}', HOSTS.length * points, ['setup', 'shard']);
    expect(sharded).toEqual(single);
    const perShard = await Promise.all(
      [0, 1, 2].map(
        async (i) => (await rawSamples(vm, `anomaly_score{setup="sharded",shard="${i}"}`, T0 + 20 * HOUR, 72000)).length
      )
    );
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(HOSTS.length);
    expect(perShard.filter((n) => n > 0).length).toBeGreaterThan(1); // the work is spread
    // Each shard read only its own series from the input: together they read what the one writer read.
    const pointsRead = async (w: ReturnType<typeof newWriter>) =>
      (await w.writer.metrics.pointsRead.get()).values.reduce((n, v) => n + v.value, 0);
    const readByShards = await Promise.all(shards.map(pointsRead));
    expect(readByShards.reduce((a, b) => a + b, 0)).toBe(await pointsRead(one));
    expect(Math.max(...readByShards)).toBeLessThan(await pointsRead(one));
    const a = await written(vm, 'anomaly_score{setup="ha",replica="a"}', HOSTS.length * points, ['setup', 'replica']);
    const b = await written(vm, 'anomaly_score{setup="ha",replica="b"}', HOSTS.length * points, ['setup', 'replica']);
    expect(a).toEqual(b);
    expect(a).toEqual(single);
  });

  it('shards whose upstream refuses to list the series read the whole query and still write exactly what one writer writes', async () => {
    // In front of the input Prometheus, a server that refuses /api/v1/series as VictoriaMetrics does beyond
    // -search.maxSeries (which it checks only on an uncached index search, so not reproducibly) and passes the rest.
    const front = createServer((request, response) => {
      if ((request.url ?? '').startsWith('/api/v1/series')) {
        response.writeHead(422, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ status: 'error', errorType: '422', error: 'the number of matching timeseries exceeds 2' })
        );
        return;
      }
      const upstream = httpRequest(
        `${input.url}${request.url}`,
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        }
      );
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
      const setup = (labels: Record<string, string>, shard?: string) => ({
        target: vm,
        externalLabels: labels,
        shard,
        options: { ...JOB_OPTIONS, upstream: 'limited' },
        upstreamLines: [`  limited: { type: prometheus, url: ${frontUrl} }`],
      });
      const end = LIVE_START + 20 * MINUTE;
      const points = (end - (LIVE_START - 4 * MINUTE)) / MINUTE + 1;
      const one = newWriter(setup({ run: 'unlisted-one' }));
      await runLive(one, LIVE_START, end);
      const shards = [0, 1].map((i) => newWriter(setup({ run: 'unlisted-sharded', shard: String(i) }, `${i}/2`)));
      for (const shard of shards) {
        await runLive(shard, LIVE_START, end);
      }
      const single = await written(vm, 'anomaly_score{run="unlisted-one"}', HOSTS.length * points, ['run']);
      const sharded = await written(vm, 'anomaly_score{run="unlisted-sharded"}', HOSTS.length * points, [
        'run',
        'shard',
      ]);
      expect(sharded).toEqual(single);
      const pointsRead = async (w: ReturnType<typeof newWriter>) =>
        (await w.writer.metrics.pointsRead.get()).values.reduce((n, v) => n + v.value, 0);
      for (const shard of shards) {
        // Each read everything, and said why.
        expect(await pointsRead(shard)).toBe(await pointsRead(one));
        expect(
          shard.logLines().some((line) => /did not list its series/.test(line.msg) && /exceeds 2/.test(line.reason))
        ).toBe(true);
      }
    } finally {
      await front.close();
    }
  });

  it('a backfill of a past range writes what live scoring of that range wrote, through a queue far smaller than it', async () => {
    const from = LIVE_START - 4 * MINUTE;
    const end = LIVE_START + 70 * MINUTE;
    const points = (end - from) / MINUTE + 1;
    const live = newWriter({ target: vm, externalLabels: { mode: 'live' } });
    await runLive(live, LIVE_START, end);
    // 1 350 samples through a queue of 50: the backfill waits for room instead of dropping.
    const backfill = newWriter({ target: vm, externalLabels: { mode: 'backfill' }, queueSamples: 50 });
    backfill.clock.now = end; // a backfill of the past: the range ends by now
    await backfill.writer.backfill(from, end);
    await backfill.writer.flush();
    expect(await backfill.writer.sampleTotals()).toEqual({
      queued: 3 * HOSTS.length * points,
      written: 3 * HOSTS.length * points,
      rejected: 0,
      dropped: 0,
      notQueued: 0,
    });
    const liveSamples = await written(vm, 'anomaly_flag{mode="live"}', HOSTS.length * points, ['mode']);
    const backfilled = await written(vm, 'anomaly_flag{mode="backfill"}', HOSTS.length * points, ['mode']);
    expect(sampleCount(backfilled)).toBe(HOSTS.length * points);
    expect(backfilled).toEqual(liveSamples);
  });

  it.each(['prometheus', 'victoria-metrics'] as const)(
    'a backfill over several fit periods into %s writes every point exactly once, equal to live scoring, even when the target acknowledges batches it then loses',
    async (kind) => {
      const target = kind === 'prometheus' ? promTarget : vm;
      // Prometheus 2.42 with an out-of-order window answered 204 to out-of-order samples and lost them when a head
      // compaction ran while they arrived (bench 50-writer: 224 samples, 7 whole out-of-order chunks, of one series).
      // That race cannot be triggered on demand, so a front does the same to the 2nd and 5th request: answers 204
      // and drops the samples. The other requests go through to the real target.
      let requests = 0;
      let lost = 0;
      const front = createServer((request, response) => {
        const body: Buffer[] = [];
        request.on('data', (chunk: Buffer) => body.push(chunk));
        request.on('end', () => {
          requests++;
          if (requests === 2 || requests === 5) {
            lost += decodeWriteRequest(Buffer.concat(body)).reduce((n, s) => n + s.samples.length, 0);
            response.writeHead(204).end();
            return;
          }
          const upstream = httpRequest(target.writeUrl, { method: 'POST', headers: request.headers }, (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          });
          upstream.end(Buffer.concat(body));
        });
      });
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      try {
        const from = LIVE_START - 4 * MINUTE;
        const end = LIVE_START + 185 * MINUTE; // 4 fit periods (fit_every 1h), 2 requests of 1000 samples each
        const points = (end - from) / MINUTE + 1;
        const mode = `lossy-${kind}`;
        const live = newWriter({ target, externalLabels: { mode: `${mode}-live` } });
        await runLive(live, LIVE_START, end);
        const backfill = newWriter({
          target,
          writeUrl: `http://127.0.0.1:${(front.address() as AddressInfo).port}/api/v1/write`,
          externalLabels: { mode: `${mode}-backfill` },
        });
        backfill.clock.now = end;
        await backfill.writer.backfill(from, end);
        expect(lost).toBeGreaterThan(0);
        for (const metric of ['anomaly_score', 'anomaly_flag', 'anomaly_threshold']) {
          const expected = HOSTS.length * points;
          const liveSamples = await written(target, `${metric}{mode="${mode}-live"}`, expected, ['mode']);
          const backfilled = await written(target, `${metric}{mode="${mode}-backfill"}`, expected, ['mode']);
          expect(sampleCount(backfilled)).toBe(expected); // every point, none twice
          expect(backfilled).toEqual(liveSamples);
        }
        // Read back, found missing and sent again: only what was lost.
        const resent = (await backfill.writer.metrics.samplesResent.get()).values.reduce((n, v) => n + v.value, 0);
        expect(resent).toBe(lost);
        expect(backfill.logLines().some((line) => /lacks samples it accepted/.test(line.msg))).toBe(true);
      } finally {
        await front.close();
      }
    }
  );

  it('a backfill ends at now - delay, as the live runs do: later points are not final yet', async () => {
    const from = LIVE_START - 4 * MINUTE;
    const end = LIVE_START + 30 * MINUTE;
    const backfill = newWriter({ target: vm, externalLabels: { mode: 'delayed' }, scheduleExtra: 'delay: 10m' });
    backfill.clock.now = end; // asked for up to now: gets up to now - 10m
    await backfill.writer.backfill(from, end);
    await backfill.writer.flush();
    const points = (end - 10 * MINUTE - from) / MINUTE + 1;
    const samples = await written(vm, 'anomaly_score{mode="delayed"}', HOSTS.length * points, ['mode']);
    expect(sampleCount(samples)).toBe(HOSTS.length * points);
    const last = Math.max(...[...samples.values()].map((s) => s[s.length - 1][0]));
    expect(last).toBe(end - 10 * MINUTE);
    expect(backfill.logLines().some((line) => /later points are left to the live runs/.test(String(line.msg)))).toBe(
      true
    );
    // With no end given (the CLI without --to) the range ends there as meant: no warning. Times logged as ISO 8601.
    const untilNow = newWriter({
      target: vm,
      externalLabels: { mode: 'until-now' },
      scheduleExtra: 'delay: 10m',
      logLevel: 'info',
    });
    untilNow.clock.now = end;
    await untilNow.writer.backfill(end - 20 * MINUTE, Infinity);
    expect(untilNow.logLines().some((line) => /later points are left/.test(String(line.msg)))).toBe(false);
    expect(untilNow.logLines().find((line) => line.msg === 'backfilled')).toMatchObject({
      from: new Date(end - 20 * MINUTE).toISOString(),
      to: new Date(end - 10 * MINUTE).toISOString(),
    });
  });

  it('a shard keeps its series listing between runs and lists again after series_refresh: a series added later is written from then on', async () => {
    // Input in VictoriaMetrics, which takes new series at any time: listing_cpu{host} for h1..h4 first, h5 later.
    const history = (host: string, h: number) => {
      const timestamps = Array.from({ length: POINTS }, (_, i) => T0 + i * MINUTE);
      const values = timestamps.map((t) => 30 + 7 * h + 5 * Math.sin((2 * Math.PI * (t - T0)) / HOUR) + (t % 7));
      return {
        labels: [
          { name: '__name__', value: 'listing_cpu' },
          { name: 'host', value: host },
        ],
        samples: timestamps.map((timestamp, i) => ({ timestamp, value: values[i] })),
      };
    };
    const writeInput = async (hosts: string[]) => {
      const response = await fetch(vm.writeUrl, {
        method: 'POST',
        headers: REMOTE_WRITE_HEADERS,
        body: encodeWriteRequest(hosts.map((host) => history(host, Number(host.slice(1))))),
      });
      expect(response.status).toBeLessThan(300);
      await waitUntil(
        async () =>
          (await rawSamples(vm, 'listing_cpu', T0 + 20 * HOUR, 20 * 3600)).filter((r) => hosts.includes(r.labels.host))
            .length === hosts.length || undefined,
        { timeoutMs: 30_000, describe: () => `VictoriaMetrics serving listing_cpu of ${hosts.join(', ')}` }
      );
    };
    await writeInput(['h1', 'h2', 'h3', 'h4']);
    const shard = shardOf({ host: 'h5' }, 2); // the shard that scores the late series
    const w = newWriter({
      target: vm,
      query: 'listing_cpu',
      options: { ...JOB_OPTIONS, upstream: 'vminput' },
      upstreamLines: [`  vminput: { type: prometheus, url: ${vm.url} }`],
      externalLabels: { run: 'listing' },
      shard: `${shard}/2`,
      scheduleExtra: 'series_refresh: 10m',
    });
    const listings = async () => (await w.writer.metrics.seriesListings.get()).values.reduce((n, v) => n + v.value, 0);
    const t1 = LIVE_START;
    await w.writer.runJob('cpu', t1);
    const afterFirst = await listings();
    expect(afterFirst).toBeGreaterThan(0);
    await writeInput(['h5']);
    await w.writer.runJob('cpu', t1 + 5 * MINUTE); // within series_refresh: the kept listing, no /api/v1/series
    expect(await listings()).toBe(afterFirst);
    await w.writer.runJob('cpu', t1 + 10 * MINUTE); // series_refresh later: listed again, h5 found
    expect(await listings()).toBeGreaterThan(afterFirst);
    await w.writer.flush();
    const mine = ['h1', 'h2', 'h3', 'h4'].filter((host) => shardOf({ host }, 2) === shard);
    const got = await written(vm, 'anomaly_score{run="listing"}', 15 * mine.length + 5);
    // The shard's first series: every run's points; h5: the points of the run after the refresh, not before.
    for (const host of mine) {
      expect(got.get(labelsWithout({ host, run: 'listing' }, []))?.length).toBe(15);
    }
    expect(got.get(labelsWithout({ host: 'h5', run: 'listing' }, []))?.map(([t]) => t)).toEqual(
      [6, 7, 8, 9, 10].map((m) => t1 + m * MINUTE)
    );
    expect(got.size).toBe(mine.length + 1); // the other shard's series are not this shard's
  });

  it('backfills into an OpenMetrics file (`run --from --to --output`) that promtool turns into blocks, holding what live scoring of that range wrote', async () => {
    buildCliOnce();
    const dir = makeTempDir('writer-file');
    try {
      const from = LIVE_START - 4 * MINUTE;
      const end = LIVE_START + 70 * MINUTE; // crosses a fit time
      const points = (end - from) / MINUTE + 1;
      const live = newWriter({ target: promTarget, externalLabels: { mode: 'live-for-file' } });
      await runLive(live, LIVE_START, end);

      const config = join(dir, 'writer.yaml');
      writeFileSync(config, writerYaml({ target: promTarget, externalLabels: { mode: 'file' } }));
      const file = join(dir, 'backfill.om');
      const cli = repoPath('pkg/cli/bin/telemetry-analyzer.js');
      await runNode([
        cli,
        'run',
        '--config',
        config,
        '--from',
        String(from / 1000),
        '--to',
        String(end / 1000),
        '--output',
        file,
      ]);

      // promtool takes it as it is, every sample.
      const blocks = join(dir, 'blocks');
      await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', file, blocks]);
      const { stdout } = await promisify(execFile)('promtool', ['tsdb', 'list', blocks]);
      const listed = stdout
        .trim()
        .split('\n')
        .slice(1)
        .reduce((n, line) => n + Number(line.trim().split(/\s+/)[4]), 0); // BLOCK ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, …
      expect(listed).toBe(HOSTS.length * points * 3);

      const inFile = parseOpenMetrics(readFileSync(file, 'utf8'));
      for (const fn of ['anomaly_score', 'anomaly_flag', 'anomaly_threshold']) {
        const fromFile = new Map(
          inFile
            .filter((s) => s.metric === fn)
            .map((s) => {
              expect(s.labels).toMatchObject({ anomaly_job: 'cpu', mode: 'file' });
              const samples = Array.from(s.timestampsMs, (t, i) => [t, s.values[i]] as [number, number]);
              return [labelsWithout(s.labels, ['anomaly_job', 'mode']), samples];
            })
        );
        expect(sampleCount(fromFile)).toBe(HOSTS.length * points);
        expect(fromFile).toEqual(
          await written(promTarget, `${fn}{mode="live-for-file"}`, HOSTS.length * points, ['mode'])
        );
      }
    } finally {
      removeTempDir(dir);
    }
  });

  it('reads InfluxDB through the same grammar and writes what the proxy answers for the InfluxQL query', async () => {
    const influx = await startInfluxDB({
      database: 'telemetry',
      lines: inputSeries().flatMap((one) =>
        Array.from(
          one.timestampsMs,
          (t, i) => `telemetry,host=${one.labels.host} cpu_usage_percent=${one.values[i]} ${t}`
        )
      ),
    });
    const influxProxy = await startProxyUnderTest({
      prometheusUrl: input.url,
      influx: { url: influx.url, database: 'telemetry' },
    });
    try {
      const statement =
        'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host';
      // Into Prometheus, which keeps float64 as is (VictoriaMetrics keeps 12 significant digits: docs/scale.md).
      const w = newWriter({
        target: promTarget,
        externalLabels: { run: 'influx' },
        query: `influxql(${JSON.stringify(statement)})`,
        upstreamLines: [`  influx: { type: influxdb, url: ${influx.url}, influx: { database: telemetry } }`],
      });
      const end = LIVE_START + 40 * MINUTE;
      await runLive(w, LIVE_START, end);
      // A GROUP BY time(1m) row at m holds the samples of [m, m + 1m): a run scores the minutes whole by its now -
      // delay, the last one a minute before it.
      const [first, last] = [LIVE_START - 5 * MINUTE, end - MINUTE];
      const points = (last - first) / MINUTE + 1;
      const stored = await written(promTarget, 'anomaly_score{run="influx"}', HOSTS.length * points, ['run']);
      expect(stored.size).toBe(HOSTS.length);
      expect(stored).toEqual(
        await proxyAnswers(influxProxy.url, w.writer.config.jobs[0], 'anomaly_score', first, last)
      );
    } finally {
      await influxProxy.stop();
      await influx.stop();
    }
  });

  it('serves /metrics and /healthz while it runs on its schedule, and sends its whole queue on shutdown', async () => {
    const w = newWriter({ target: vm, externalLabels: { run: 'served' } });
    const { url } = await w.writer.start();
    let metrics = '';
    await waitUntil(
      async () => {
        metrics = await (await fetch(`${url}/metrics`)).text();
        return /telemetry_writer_runs_total\{job="cpu",outcome="ok"\} [1-9]/.test(metrics) ? true : undefined;
      },
      { timeoutMs: 30_000, describe: () => `a scheduled run in /metrics:\n${metrics.slice(0, 2000)}` }
    );
    expect(metrics).toMatch(/telemetry_writer_models\{job="cpu"\} 6/);
    // Points read: at least the six hosts' 6 h training windows (360 points each) and their scored points.
    const pointsRead = Number(/^telemetry_writer_points_read_total\{job="cpu"\} (\d+)/m.exec(metrics)?.[1]);
    expect(pointsRead).toBeGreaterThanOrEqual(HOSTS.length * (360 + 5));
    // Model memory: six models of 40 trees, each some kB (~66 kB per 100 trees: docs/performance.md).
    const modelBytes = Number(/^telemetry_writer_model_bytes\{job="cpu"\} (\d+)/m.exec(metrics)?.[1]);
    expect(modelBytes).toBeGreaterThan(HOSTS.length * 5_000);
    expect(modelBytes).toBeLessThan(HOSTS.length * 200_000);
    expect(metrics).toMatch(/telemetry_writer_lag_seconds\{job="cpu"\} \d/);
    expect(metrics).toMatch(/telemetry_writer_samples_queued_total\{job="cpu"\} 90/);
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({
      status: 'ok',
      shard: '0/1',
      lastScored: { cpu: new Date(LIVE_START).toISOString() },
    });
    await w.writer.close();
    expect((await w.writer.metrics.samplesWritten.get()).values[0].value).toBe(90);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'a backfill into a file interrupted by %s leaves no file behind, and the shell sees the signal',
    async (signal) => {
      buildCliOnce();
      const dir = makeTempDir('writer-interrupted');
      try {
        const config = join(dir, 'writer.yaml');
        writeFileSync(config, writerYaml({ target: promTarget, externalLabels: { mode: 'interrupted' } }));
        const file = join(dir, 'backfill.om');
        // The whole data range, fit after fit: long enough to be interrupted once its first part file is written.
        const args = [
          'run',
          '--config',
          config,
          '--from',
          String(T0 / 1000 + 6 * 3600),
          '--to',
          String((T0 + POINTS * MINUTE) / 1000),
          '--output',
          file,
        ];
        const child = spawn(process.execPath, [repoPath('pkg/cli/bin/telemetry-analyzer.js'), ...args]);
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
          child.on('exit', (code, killedBy) => resolve(killedBy ?? code))
        );
        await waitUntil(async () => (readdirSync(dir).some((name) => name.endsWith('.part')) ? true : undefined), {
          timeoutMs: 60_000,
          intervalMs: 5,
          describe: () => `a part file in ${readdirSync(dir)}:\n${output}`,
        });
        child.kill(signal);
        expect(await exited).toBe(signal);
        expect(readdirSync(dir)).toEqual(['writer.yaml']);
      } finally {
        removeTempDir(dir);
      }
    }
  );

  it('an --output it cannot write is bad input naming the file (exit 2), and nothing is left behind', async () => {
    buildCliOnce();
    const dir = makeTempDir('writer-unwritable');
    try {
      const config = join(dir, 'writer.yaml');
      writeFileSync(config, writerYaml({ target: promTarget }));
      const file = join(dir, 'missing-directory', 'backfill.om');
      const range = ['--from', String(LIVE_START / 1000), '--to', String((LIVE_START + 10 * MINUTE) / 1000)];
      const args = [
        repoPath('pkg/cli/bin/telemetry-analyzer.js'),
        'run',
        '--config',
        config,
        ...range,
        '--output',
        file,
      ];
      const failure = await promisify(execFile)(process.execPath, args).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error
      );
      expect(failure).toMatchObject({
        code: 2,
        stderr: `telemetry-analyzer: ${file}: cannot write the file (ENOENT); nothing was written\n`,
      });
      expect(readdirSync(dir)).toEqual(['writer.yaml']);
    } finally {
      removeTempDir(dir);
    }
  });

  it('says a TSDB that refuses its credentials refused them (exit 1, not "internal error"): resuming, backfilling, reading', async () => {
    buildCliOnce();
    const locked = await startVictoriaMetrics({ username: 'writer', password: 'not-given' });
    const dir = makeTempDir('writer-refused');
    try {
      const cli = (yaml: string, ...args: string[]) => {
        const config = join(dir, 'writer.yaml');
        writeFileSync(config, yaml);
        return promisify(execFile)(process.execPath, [
          repoPath('pkg/cli/bin/telemetry-analyzer.js'),
          'run',
          '--config',
          config,
          ...args,
        ]).then(
          () => ({ code: 0, stderr: '' }),
          (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr })
        );
      };
      const range = ['--from', String(LIVE_START / 1000), '--to', String((LIVE_START + 10 * MINUTE) / 1000)];
      // Live: where to resume cannot be read back. Backfill: its samples are refused, and so is the read-back.
      for (const args of [[], range]) {
        const run = await cli(writerYaml({ target: locked }), ...args);
        expect(run).toEqual({
          code: 1,
          stderr: expect.stringMatching(
            /^telemetry-analyzer: reading back .* from http:\/\/127\.0\.0\.1:\d+: HTTP 401\n$/
          ),
        });
      }
      // A job reading its input from it: refused, which is no Prometheus answer (exit 1, naming the upstream).
      const lockedUpstream = [`  locked: { type: prometheus, url: ${locked.url} }`];
      const reading = await cli(
        writerYaml({ target: vm, upstreamLines: lockedUpstream, options: { ...JOB_OPTIONS, upstream: 'locked' } }),
        ...range
      );
      expect(reading).toEqual({
        code: 1,
        stderr:
          'telemetry-analyzer: upstream "locked" gave an invalid answer: HTTP 401 without a Prometheus error body\n',
      });
    } finally {
      removeTempDir(dir);
      await locked.stop();
    }
  });

  it('SIGTERM on the `telemetry-analyzer run` process sends the samples queued at that moment, then it exits 0', async () => {
    buildCliOnce();
    const dir = makeTempDir('writer-sigterm');
    const port = await findFreePort();
    const config = join(dir, 'writer.yaml');
    // Live on the real clock: the input ends ~2 h ago, so the job reads it 4 h back. It resumes from the input (where
    // nothing is written), as the target is down when it starts: its first run's samples wait in its queue.
    writeFileSync(
      config,
      writerYaml(
        {
          target: vm,
          externalLabels: { run: 'sigterm' },
          query: 'cpu_usage_percent offset 4h',
          readBack: 'input',
          logLevel: 'info',
        },
        `127.0.0.1:${port}`
      )
    );
    await vm.stopProcess();
    let output = '';
    const child = spawn(process.execPath, [repoPath('pkg/cli/bin/telemetry-analyzer.js'), 'run', '--config', config]);
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let metrics = '';
      await waitUntil(
        async () => {
          metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const queued = /^telemetry_writer_queue_samples (\d+)/m.exec(metrics);
          const failed = /^telemetry_writer_write_failures_total\{[^}]*\} [1-9]/m.test(metrics);
          return queued && Number(queued[1]) >= HOSTS.length * 3 && failed ? true : undefined;
        },
        { timeoutMs: 60_000, describe: () => `queued samples and failed writes in /metrics:\n${metrics}\n${output}` }
      );
      child.kill('SIGTERM');
      await vm.startProcess();
      const code = await waitUntil(async () => (child.exitCode === null ? undefined : child.exitCode), {
        timeoutMs: 60_000, // shutdownGrace
        describe: () => `the writer to exit after SIGTERM:\n${output}`,
      });
      expect(code).toBe(0);
      const stopped = jsonLogLines(output).find((line) => line.msg === 'stopped');
      expect(stopped?.samples).toEqual({
        queued: stopped?.samples.written,
        written: expect.any(Number),
        rejected: 0,
        dropped: 0,
        notQueued: 0,
      });
      expect(stopped!.samples.written).toBeGreaterThanOrEqual(HOSTS.length * 3);
      // All of them are in the target: score, flag and threshold of every host.
      let arrived: RawSeries[] = [];
      const count = () => arrived.reduce((n, one) => n + one.samples.length, 0);
      await waitUntil(
        async () => {
          arrived = await rawSamples(vm, '{run="sigterm"}', T0 + 20 * HOUR, 20 * 3600);
          return count() >= stopped!.samples.written ? true : undefined;
        },
        { timeoutMs: 30_000, describe: () => `${stopped!.samples.written} samples in the target, have ${count()}` }
      );
      expect(count()).toBe(stopped!.samples.written);
      expect(arrived).toHaveLength(HOSTS.length * 3);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await vm.startProcess();
      removeTempDir(dir);
    }
  });

  it('says when a backfill wrote nothing for a job (a range before its input existed), and how much it wrote otherwise', async () => {
    const nothing = newWriter({ target: vm, externalLabels: { mode: 'before-input' }, logLevel: 'info' });
    nothing.clock.now = LIVE_START;
    await nothing.writer.backfill(LIVE_START - 60 * 24 * HOUR, LIVE_START - 59 * 24 * HOUR);
    await nothing.writer.flush();
    const lines = nothing.logLines();
    expect(lines.some((line) => /^backfill wrote nothing for this job/.test(String(line.msg)))).toBe(true);
    expect(lines.find((line) => line.msg === 'backfilled')).toMatchObject({ samples: 0 });
    const some = newWriter({ target: vm, externalLabels: { mode: 'counted' }, logLevel: 'info' });
    some.clock.now = LIVE_START;
    await some.writer.backfill(LIVE_START - 4 * MINUTE, LIVE_START);
    await some.writer.flush();
    expect(some.logLines().some((line) => /^backfill wrote nothing/.test(String(line.msg)))).toBe(false);
    const counted = some.logLines().find((line) => line.msg === 'backfilled');
    expect(counted?.samples).toBeGreaterThan(0);
    // A range wholly after now - delay: that warning says why nothing was written; no second one blames the query.
    const late = newWriter({
      target: vm,
      externalLabels: { mode: 'late' },
      logLevel: 'info',
      scheduleExtra: 'delay: 10m',
    });
    late.clock.now = LIVE_START;
    await late.writer.backfill(LIVE_START - 5 * MINUTE, LIVE_START);
    expect(late.logLines().some((line) => /later points are left to the live runs/.test(String(line.msg)))).toBe(true);
    expect(late.logLines().some((line) => /^backfill wrote nothing/.test(String(line.msg)))).toBe(false);
    // A one-series job over two shards: the shard that owns the series writes it, the other says it wrote nothing
    // for this shard (information, not a warning: that is what sharding does).
    const shards = [0, 1].map((index) =>
      newWriter({
        target: vm,
        externalLabels: { mode: 'one-series-sharded' },
        logLevel: 'info',
        shard: `${index}/2`,
        query: `cpu_usage_percent{host="${HOSTS[0]}"}`,
      })
    );
    const logged = [];
    for (const shard of shards) {
      shard.clock.now = LIVE_START;
      await shard.writer.backfill(LIVE_START - 4 * MINUTE, LIVE_START);
      logged.push(shard.logLines());
    }
    const wrote = logged.map((lines) => lines.find((line) => line.msg === 'backfilled')?.samples);
    expect([...wrote].sort((a, b) => a - b)).toEqual([0, expect.any(Number)]);
    expect(Math.max(...wrote)).toBeGreaterThan(0);
    const idle = logged[wrote.indexOf(0)];
    expect(
      idle.find((line) => /^backfill wrote nothing for this job on this shard/.test(String(line.msg)))
    ).toMatchObject({
      level: 30,
    });
    expect(idle.some((line) => line.level >= 40)).toBe(false);
  });

  it('runs as `telemetry-analyzer run --from --to`: the CLI backfills what the writer in process writes, and exits', async () => {
    buildCliOnce();
    const dir = makeTempDir('writer-cli');
    try {
      const port = await findFreePort();
      const config = join(dir, 'writer.yaml');
      writeFileSync(config, writerYaml({ target: vm, externalLabels: { run: 'cli' } }, `127.0.0.1:${port}`));
      const cli = repoPath('pkg/cli/bin/telemetry-analyzer.js');
      const from = LIVE_START - 4 * MINUTE;
      const end = LIVE_START + 20 * MINUTE;
      await runNode([cli, 'run', '--config', config, '--from', String(from / 1000), '--to', String(end / 1000)]);
      const inProcess = newWriter({ target: vm, externalLabels: { run: 'in-process' } });
      inProcess.clock.now = Date.now(); // what the CLI's backfill ran at
      await inProcess.writer.backfill(from, end);
      await inProcess.writer.flush();
      const points = (end - from) / MINUTE + 1;
      const byCli = await written(vm, 'anomaly_score{run="cli"}', HOSTS.length * points, ['run']);
      expect(byCli).toEqual(await written(vm, 'anomaly_score{run="in-process"}', HOSTS.length * points, ['run']));
    } finally {
      removeTempDir(dir);
    }
  });
});
