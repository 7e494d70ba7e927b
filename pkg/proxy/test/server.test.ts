import { AnomalyDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../src/config';
import { MAX_PARAMETERS } from '../src/http/requestParamsText';
import { RunningProxy, startProxy } from '../src/server';
import { FakeServer, FakeSeries, startFakeInflux, startFakePrometheus } from './support/fakeUpstreams';

const STEP = 60_000;
const T0 = 1_699_999_980_000; // a multiple of STEP
const at = (i: number) => T0 + i * STEP;
const SPIKE = at(430);

function wave(i: number, phase: number): number {
  return 10 + 2 * Math.sin(i / 7 + phase) + ((i * 37) % 11) / 10;
}

const SERIES: FakeSeries[] = [
  {
    labels: { __name__: 'cpu', instance: 'a', job: 'node' },
    valueAt: (t) => wave((t - T0) / STEP, 0) + (t === SPIKE ? 40 : 0),
  },
  { labels: { __name__: 'cpu', instance: 'b', job: 'node' }, valueAt: (t) => wave((t - T0) / STEP, 1) },
];

/** Options that make the model depend only on data the test can reproduce: a fixed training range. */
const FIXED = `train_start=${at(0) / 1000}, train_end=${at(300) / 1000}, trees=30, window=6, lags=1, seasonality=false, seed=5, contamination=0.05`;

let prometheus: FakeServer;
const running: RunningProxy[] = [];
const fakes: FakeServer[] = [];

beforeEach(async () => {
  prometheus = await startFakePrometheus(SERIES);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.close()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await prometheus.close();
});

async function proxyWith(
  extraYaml = '',
  upstreamYaml = '',
  options: { logStream?: NodeJS.WritableStream } = {}
): Promise<RunningProxy> {
  const yaml = `
listen: "127.0.0.1:0"
defaultUpstream: prom
upstreams:
  prom: { type: prometheus, url: "${prometheus.url}", timeout: 2s }
${upstreamYaml}
log: { level: ${options.logStream ? 'info' : 'silent'} }
${extraYaml}`;
  const proxy = await startProxy(parseConfig(yaml, 'test'), options);
  running.push(proxy);
  return proxy;
}

async function get(
  proxy: RunningProxy,
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {}
) {
  const response = await fetch(`${proxy.url}${path}?${new URLSearchParams(params)}`, { headers });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function post(
  proxy: RunningProxy,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {}
) {
  const response = await fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text(), json: undefined as unknown };
}

async function metricValue(proxy: RunningProxy, name: string): Promise<number> {
  const text = (await get(proxy, '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

function table(series: FakeSeries, from: number, to: number): SeriesTable {
  const timestamps: number[] = [];
  for (let t = from; t <= to; t += STEP) {
    timestamps.push(t);
  }
  return {
    timestamps: Float64Array.from(timestamps),
    columns: [{ name: 'cpu', values: Float64Array.from(timestamps.map(series.valueAt)) }],
  };
}

/** What the engine itself says for one series with the FIXED options: timestamp → score and flag (at(350)..at(460)). */
function engineVerdict(valueAt: (t: number) => number): Map<number, { score: number; flag: number }> {
  const series = { labels: {}, valueAt };
  const detector = AnomalyDetector.train(table(series, at(0), at(300)), {
    features: { window: 6, lags: 1, seasonality: false },
    forest: { nEstimators: 30, seed: 5, contamination: 0.05 },
  });
  const scoringTable = table(series, at(350), at(460));
  const result = detector.score(scoringTable)[0];
  const verdict = new Map<number, { score: number; flag: number }>();
  result.rowIndex.forEach((row, k) =>
    verdict.set(scoringTable.timestamps[row], { score: result.scores[k], flag: result.isAnomaly[k] })
  );
  return verdict;
}

const queryRange = (query: string, from = at(400), to = at(460)) => ({
  query,
  start: String(from / 1000),
  end: String(to / 1000),
  step: '60',
});

describe('plain PromQL passes through unchanged', () => {
  it('GET /api/v1/query returns the upstream status and body', async () => {
    const proxy = await proxyWith();
    const answer = await get(proxy, '/api/v1/query', { query: '1+1', time: '1700000000' });
    const direct = await (await fetch(`${prometheus.url}/api/v1/query?query=1%2B1&time=1700000000`)).text();
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(direct);
  });

  it('POST /api/v1/query_range forwards the form (as Grafana with HTTP method POST sends it)', async () => {
    const proxy = await proxyWith();
    const answer = await post(proxy, '/api/v1/query_range', { query: 'syntax_error', start: '1', end: '2', step: '1' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: '1:1: parse error: unexpected identifier "syntax_error"',
    });
    const forwarded = prometheus.requests.find((r) => r.path === '/api/v1/query_range')!;
    expect(forwarded.method).toBe('POST');
    expect(forwarded.params.get('query')).toBe('syntax_error');
  });

  it("POST /api/v1/series forwards every match[], the body's and the URL's, as Prometheus reads them", async () => {
    const proxy = await proxyWith();
    const response = await fetch(`${proxy.url}/api/v1/series?match[]=${encodeURIComponent('{job="node"}')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['match[]', 'cpu']]),
    });
    await response.text(); // the double answers 404 for series: what it was asked is what counts here
    const forwarded = prometheus.requests.find((r) => r.path === '/api/v1/series')!;
    // Go's r.Form: the body's values first, then the URL's.
    expect(forwarded.params.getAll('match[]')).toEqual(['cpu', '{job="node"}']);
  });

  it('passes /api/v1/labels through', async () => {
    const proxy = await proxyWith();
    const answer = await get(proxy, '/api/v1/labels');
    expect(JSON.parse(answer.text)).toEqual({ status: 'success', data: ['__name__', 'instance', 'job'] });
  });

  it('refuses an answer an upstream compressed although asked for identity, naming the encoding (an attack review)', async () => {
    // Decoded on the way, a plain query's 611 KB gzip answer reached its client as 629 MB: nothing bounds a pass-through.
    const proxy = await proxyWith();
    try {
      for (const encoding of ['gzip', 'br', 'compress'] as const) {
        prometheus.mode = encoding;
        for (const [path, params] of [
          ['/api/v1/query', { query: 'up' }],
          ['/api/v1/labels', {}],
        ] as const) {
          const answer = await get(proxy, path, params);
          expect([encoding, path, answer.status, JSON.parse(answer.text)]).toEqual([
            encoding,
            path,
            502,
            {
              status: 'error',
              errorType: 'internal',
              error: `upstream "prom" gave an invalid answer: content-encoding "${encoding}", not identity as asked`,
            },
          ]);
        }
      }
    } finally {
      prometheus.mode = 'normal';
    }
    expect((await get(proxy, '/api/v1/labels')).status).toBe(200);
  });
});

/** The fake Prometheus again, with a third series whose samples start after FIXED's training range (a new host). */
async function withLateSeries(): Promise<void> {
  await prometheus.close();
  const late: FakeSeries = {
    labels: { __name__: 'cpu', instance: 'late', job: 'node' },
    valueAt: (t) => (t >= at(350) ? wave((t - T0) / STEP, 2) : undefined),
  };
  prometheus = await startFakePrometheus([...SERIES, late]);
}

describe('anomaly functions', () => {
  it('trains a model two concurrent queries lack once, though their series differ (a new host in one of them)', async () => {
    // An attack review: trainings were shared by identical sets of missing models only: 240 trainings for 120 models.
    await withLateSeries();
    const proxy = await proxyWith();
    const trainings = () => metricValue(proxy, 'telemetry_proxy_model_trainings_total');
    const before = await trainings();
    // The first range holds a and b; the second the late series too (no data in the training range: not trained).
    const [early, later] = await Promise.all([
      get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`, at(310), at(340))),
      get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`, at(400), at(460))),
    ]);
    const instances = (answer: { text: string }) =>
      JSON.parse(answer.text).data.result.map((r: { metric: { instance: string } }) => r.metric.instance);
    expect([instances(early), instances(later)]).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect((await trainings()) - before).toBe(2);
  });

  it('remembers a series it could not train until its model would be retrained: no training fetch again', async () => {
    // An attack review: a series with no data in the training range (a host that came up later) made every
    // evaluation of its query fetch the training range again and wait for a training turn (an alert took 19 s).
    await withLateSeries();
    const proxy = await proxyWith();
    const trainingFetches = () =>
      prometheus.requests.filter(
        (r) => r.path === '/api/v1/query_range' && r.params.get('start') === String(at(0) / 1000)
      ).length;
    const query = queryRange(`anomaly_score(cpu, ${FIXED})`);
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(JSON.parse((await get(proxy, '/api/v1/query_range', query)).text));
    }
    expect(trainingFetches()).toBe(1);
    for (const answer of answers) {
      expect(answer.data.result.map((r: { metric: { instance: string } }) => r.metric.instance)).toEqual(['a', 'b']);
      expect(answer.warnings).toContainEqual(
        expect.stringMatching(
          /^no model for \{__name__="cpu", instance="late", job="node"\}: no data between .* to train on$/
        )
      );
    }
  });

  it("anomaly_score gives the engine's scores for the same data, options and seed, labels without __name__", async () => {
    const proxy = await proxyWith();
    const answer = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text);
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('matrix');
    expect(body.data.result.map((r: { metric: object }) => r.metric)).toEqual([
      { instance: 'a', job: 'node' },
      { instance: 'b', job: 'node' },
    ]);

    SERIES.forEach((series, i) => {
      const expected = [...engineVerdict(series.valueAt).entries()]
        .filter(([t]) => t >= at(400))
        .map(([t, v]) => [t / 1000, String(v.score)]);
      expect(expected).toHaveLength(61);
      expect(body.data.result[i].values).toEqual(expected);
    });
  });

  it('anomaly_flag(...) > 0 as an instant query (vmalert) returns the series the engine flags at that time', async () => {
    const proxy = await proxyWith();
    for (const time of [SPIKE, at(410)]) {
      const params = {
        query: `anomaly_flag(cpu, ${FIXED}, step="1m") > 0`,
        time: String(time / 1000),
        step: '300',
        nocache: '1',
      };
      const answer = JSON.parse((await post(proxy, '/api/v1/query', params)).text);
      const expected = SERIES.filter((series) => engineVerdict(series.valueAt).get(time)!.flag === 1).map((series) => ({
        metric: { instance: series.labels.instance, job: 'node' },
        value: [time / 1000, '1'],
      }));
      expect(answer).toEqual({ status: 'success', data: { resultType: 'vector', result: expected } });
    }
    expect(engineVerdict(SERIES[0].valueAt).get(SPIKE)!.flag).toBe(1); // the spike itself is found
  });

  it('anomaly_threshold is the model threshold at every scored point', async () => {
    const proxy = await proxyWith();
    const body = JSON.parse(
      (await get(proxy, '/api/v1/query_range', queryRange(`anomaly_threshold(cpu, ${FIXED})`))).text
    );
    const values = new Set(body.data.result[0].values.map((v: [number, string]) => v[1]));
    expect(values.size).toBe(1);
  });

  it('multivariate by="instance" gives every series of a group the group\'s flag', async () => {
    const both: FakeSeries[] = [
      ...SERIES,
      { labels: { __name__: 'mem', instance: 'a', job: 'node' }, valueAt: (t) => 50 + wave((t - T0) / STEP, 2) },
      { labels: { __name__: 'mem', instance: 'b', job: 'node' }, valueAt: (t) => 50 + wave((t - T0) / STEP, 3) },
    ];
    await prometheus.close();
    prometheus = await startFakePrometheus(both);
    const proxy = await proxyWith();
    const body = JSON.parse(
      (
        await get(
          proxy,
          '/api/v1/query_range',
          queryRange(`anomaly_flag({__name__=~"cpu|mem"}, ${FIXED}, by="instance")`)
        )
      ).text
    );
    // Dropping __name__ would make cpu and mem of one instance identical, so it is kept.
    const byName = (name: string, instance: string) =>
      body.data.result.find(
        (r: { metric: Record<string, string> }) => r.metric.__name__ === name && r.metric.instance === instance
      );
    expect(body.data.result).toHaveLength(4);
    expect(byName('cpu', 'a').values).toEqual(byName('mem', 'a').values);
    expect(byName('cpu', 'b').values).toEqual(byName('mem', 'b').values);
    const spikeFlag = byName('cpu', 'a').values.find((v: [number, string]) => v[0] === SPIKE / 1000);
    expect(spikeFlag[1]).toBe('1');
  });

  it('trains each model once for concurrent identical requests and counts trainings', async () => {
    const proxy = await proxyWith();
    const query = queryRange(`anomaly_score(cpu, ${FIXED})`);
    const answers = await Promise.all([1, 2, 3].map(() => get(proxy, '/api/v1/query_range', query)));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(await metricValue(proxy, 'telemetry_proxy_model_trainings_total')).toBe(2);
    const trainingFetches = prometheus.requests.filter((r) => r.params.get('end') === String(at(300) / 1000));
    expect(trainingFetches).toHaveLength(1);
  });

  it('serves from the model store after a restart without retraining', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'proxy-models-'));
    const extra = `modelStore: { directory: "${directory}" }`;
    const query = queryRange(`anomaly_score(cpu, ${FIXED})`);
    const first = await proxyWith(extra);
    const before = await get(first, '/api/v1/query_range', query);
    expect(await metricValue(first, 'telemetry_proxy_model_trainings_total')).toBe(2);
    await first.close();

    const second = await proxyWith(extra);
    const after = await get(second, '/api/v1/query_range', query);
    expect(after.text).toBe(before.text);
    expect(await metricValue(second, 'telemetry_proxy_model_trainings_total')).toBe(0);
    expect(await metricValue(second, 'telemetry_proxy_model_store_loads_total')).toBe(2);
  });

  it('refuses to start on a model store it cannot write; counts models it could not save later, still serving them', async () => {
    const blocker = join(mkdtempSync(join(tmpdir(), 'proxy-models-')), 'a-file');
    writeFileSync(blocker, '');
    await expect(proxyWith(`modelStore: { directory: "${join(blocker, 'models')}" }`)).rejects.toThrow(
      /^modelStore\.directory: cannot write models to .*a-file\/models \(ENOTDIR\)/
    );
    // Writable at the start, gone afterwards (a volume unmounted, a cleanup): each model is served and counted.
    const directory = mkdtempSync(join(tmpdir(), 'proxy-models-'));
    const proxy = await proxyWith(`modelStore: { directory: "${directory}" }`);
    rmSync(directory, { recursive: true });
    writeFileSync(directory, '');
    const answer = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(answer.status).toBe(200);
    // Saved after the answer may have gone: waited for (the test's timeout bounds it).
    while ((await metricValue(proxy, 'telemetry_proxy_model_store_save_failures_total')) < 2) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await metricValue(proxy, 'telemetry_proxy_model_store_save_failures_total')).toBe(2);
  });

  it('warns when a series has far less history than the training window asks for (a new Prometheus, a short retention)', async () => {
    const young = await startFakePrometheus([
      SERIES[0],
      // Samples only from step 200 of the window [0, 300]: a third of it.
      {
        labels: { __name__: 'cpu', instance: 'new', job: 'node' },
        valueAt: (t) => (t < at(200) ? undefined : wave((t - T0) / STEP, 2)),
      },
    ]);
    fakes.push(young);
    const proxy = await proxyWith('', `  young: { type: prometheus, url: "${young.url}", timeout: 2s }`);
    const answer = await get(
      proxy,
      '/api/v1/query_range',
      queryRange(`anomaly_score(cpu, upstream="young", ${FIXED})`)
    );
    expect(answer.status).toBe(200);
    const { warnings } = JSON.parse(answer.text);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^1 of 2 models trained on less than 50 % of their training window \\(5h\\): .*instance="new".*: from ${new Date(at(200)).toISOString().replace(/\./g, '\\.')}, 33 % of the window\\)`
        )
      ),
    ]);
    // The series with the whole window: no such warning.
    const full = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(JSON.parse(full.text).warnings ?? []).not.toContainEqual(expect.stringMatching(/training window/));
    // Online queries keep no model, and warn the same (an install review: `train="7d"` over a day said nothing).
    const online = await get(
      proxy,
      '/api/v1/query_range',
      queryRange(`anomaly_score(cpu, upstream="young", online=true, ${FIXED})`)
    );
    expect(online.status).toBe(200);
    expect(JSON.parse(online.text).warnings).toContainEqual(
      expect.stringMatching(
        /^1 of 2 models trained on less than 50 % of their training window \(5h\): .*instance="new"/
      )
    );
    // A series whose samples start after the window trains nothing: no "-7 % of the window" (an attack review).
    const late = await startFakePrometheus([
      SERIES[0],
      {
        labels: { __name__: 'cpu', instance: 'late', job: 'node' },
        valueAt: (t) => (t < at(320) ? undefined : wave((t - T0) / STEP, 2)),
      },
    ]);
    fakes.push(late);
    const lateProxy = await proxyWith('', `  late: { type: prometheus, url: "${late.url}", timeout: 2s }`);
    for (const online of [false, true]) {
      const answer = await get(
        lateProxy,
        '/api/v1/query_range',
        queryRange(`anomaly_score(cpu, upstream="late", online=${online}, ${FIXED})`)
      );
      expect(answer.status).toBe(200);
      const lateWarnings: string[] = JSON.parse(answer.text).warnings ?? [];
      expect([online, lateWarnings.filter((w) => /trained on less than|-\d+ %/.test(w))]).toEqual([online, []]);
      expect([online, lateWarnings.some((w) => w.includes('instance="late"'))]).toEqual([online, true]);
    }
  });

  it("reuses a model's previous scores for a repeated or shifted range, with the same answers as a fresh proxy", async () => {
    const proxy = await proxyWith();
    const query = (shift: number) => queryRange(`anomaly_score(cpu, ${FIXED})`, at(400 + shift), at(460 + shift));
    const first = await get(proxy, '/api/v1/query_range', query(0));
    expect(await metricValue(proxy, 'telemetry_proxy_rows_from_cache_total')).toBe(0);
    const scoredFirst = await metricValue(proxy, 'telemetry_proxy_rows_scored_total');
    expect(scoredFirst).toBeGreaterThanOrEqual(2 * 61);

    const again = await get(proxy, '/api/v1/query_range', query(0));
    expect(again.text).toBe(first.text);
    const reused = await metricValue(proxy, 'telemetry_proxy_rows_from_cache_total');
    expect(reused).toBeGreaterThanOrEqual(2 * 55);

    const shifted = await get(proxy, '/api/v1/query_range', query(5));
    const fresh = await proxyWith();
    expect(shifted.text).toBe((await get(fresh, '/api/v1/query_range', query(5))).text);
    expect(await metricValue(proxy, 'telemetry_proxy_rows_from_cache_total')).toBeGreaterThan(reused);
  });

  it('keeps the score caches within scoreCache.maxBytes, and answers the same once they are dropped', async () => {
    const query = queryRange(`anomaly_score(cpu, ${FIXED})`, at(400), at(460));
    const unbounded = await proxyWith();
    const answer = (await get(unbounded, '/api/v1/query_range', query)).text;
    const bothTables = await metricValue(unbounded, 'telemetry_proxy_score_cache_bytes'); // 2 series, 2 models
    expect(bothTables).toBeGreaterThan(0);

    const budget = Math.ceil(0.75 * bothTables); // room for one table
    const bounded = await proxyWith(`scoreCache: { maxBytes: ${budget} }`);
    expect((await get(bounded, '/api/v1/query_range', query)).text).toBe(answer);
    expect(await metricValue(bounded, 'telemetry_proxy_score_cache_bytes')).toBe(bothTables / 2);
    expect((await get(bounded, '/api/v1/query_range', query)).text).toBe(answer);
    expect(await metricValue(bounded, 'telemetry_proxy_score_cache_bytes')).toBeLessThanOrEqual(budget);

    const none = await proxyWith('scoreCache: { maxBytes: 0 }');
    expect((await get(none, '/api/v1/query_range', query)).text).toBe(answer);
    expect((await get(none, '/api/v1/query_range', query)).text).toBe(answer);
    expect(await metricValue(none, 'telemetry_proxy_score_cache_bytes')).toBe(0);
    expect(await metricValue(none, 'telemetry_proxy_rows_from_cache_total')).toBe(0);
  });

  it('keeps at most modelCache.maxModels models in memory', async () => {
    const proxy = await proxyWith('modelCache: { maxModels: 1 }');
    await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(await metricValue(proxy, 'telemetry_proxy_models_in_cache')).toBe(1);
    expect(await metricValue(proxy, 'telemetry_proxy_model_evictions_total')).toBe(1); // 2 series, room for 1
  });

  it('keeps the models in memory within modelCache.maxBytes, and reports their bytes', async () => {
    const roomy = await proxyWith('');
    await get(roomy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    const twoModels = await metricValue(roomy, 'telemetry_proxy_model_bytes');
    expect(await metricValue(roomy, 'telemetry_proxy_models_in_cache')).toBe(2);
    // Room for the two series' models by count, for one of them by bytes.
    const tight = await proxyWith(`modelCache: { maxModels: 100, maxBytes: ${Math.ceil(twoModels * 0.75)} }`);
    await get(tight, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(await metricValue(tight, 'telemetry_proxy_models_in_cache')).toBe(1);
    expect(await metricValue(tight, 'telemetry_proxy_model_evictions_total')).toBe(1);
    expect(await metricValue(tight, 'telemetry_proxy_model_bytes')).toBeLessThanOrEqual(twoModels * 0.75);
  });

  it('wraps an InfluxQL statement for an influxdb upstream', async () => {
    const web1 = SERIES[0].valueAt;
    const web2 = SERIES[1].valueAt;
    const influx = await startFakeInflux({ web1, web2 });
    fakes.push(influx);
    const proxy = await proxyWith(
      '',
      `  influx: { type: influxdb, url: "${influx.url}", influx: { database: telemetry } }`
    );
    const statement =
      'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($__interval), host';
    const body = JSON.parse(
      (
        await get(
          proxy,
          '/api/v1/query_range',
          queryRange(`anomaly_flag(influxql(${JSON.stringify(statement)}), upstream="influx", ${FIXED}) == 1`)
        )
      ).text
    );
    const expected = [web1, web2]
      .map((valueAt, i) => ({
        metric: { host: `web${i + 1}` },
        values: [...engineVerdict(valueAt).entries()]
          .filter(([t, v]) => t >= at(400) && v.flag === 1)
          .map(([t]) => [t / 1000, '1']),
      }))
      .filter((series) => series.values.length > 0);
    expect(body.data.result).toEqual(expected);
    expect(body.data.result[0].values).toContainEqual([SPIKE / 1000, '1']);
    const call = influx.requests.find((r) => r.path === '/query')!;
    expect(call.params.get('db')).toBe('telemetry');
    expect(call.params.get('epoch')).toBe('ms');
    expect(call.params.get('q')).toMatch(
      /^SELECT mean\(cpu_usage_percent\) FROM telemetry WHERE time >= \d+ms AND time < \d+ms GROUP BY time\(1m\), host$/
    );
  });
});

describe('an InfluxDB default upstream', () => {
  it("answers Grafana's exemplars and 'Format query' for an anomaly query itself, as with Prometheus", async () => {
    // A review: these were refused as plain PromQL an InfluxDB default cannot answer, for an anomaly query.
    const influx = await startFakeInflux({});
    fakes.push(influx);
    const yaml = `listen: "127.0.0.1:0"
defaultUpstream: influx
upstreams:
  influx: { type: influxdb, url: "${influx.url}", influx: { database: telemetry } }
log: { level: silent }`;
    const proxy = await startProxy(parseConfig(yaml, 'test'));
    running.push(proxy);
    const query =
      'anomaly_score(influxql("SELECT mean(cpu) FROM telemetry WHERE $timeFilter GROUP BY time($interval)"))';
    const formatted = await post(proxy, '/api/v1/format_query', { query });
    expect([formatted.status, JSON.parse(formatted.text).data]).toEqual([200, query]);
    const exemplars = await get(proxy, '/api/v1/query_exemplars', { query, start: '0', end: '60' });
    expect([exemplars.status, JSON.parse(exemplars.text)]).toEqual([200, { status: 'success', data: [] }]);
    expect(influx.requests).toEqual([]);
  });
});

describe('errors in Prometheus format', () => {
  it('an option over its limit is refused at its position, naming the limit', async () => {
    // An attack review: trees=1001 named the limit but not where the option is, unlike trees=10001.
    const proxy = await proxyWith();
    for (const [option, limit] of [
      ['trees=1001', 'trees=1001 is more than limits.maxTrees allows (1000)'],
      ['window=1441', 'window=1441 is more than limits.maxWindow allows (1440)'],
      ['lags=101', 'lags=101 is more than limits.maxLags allows (100)'],
    ]) {
      const query = `anomaly_flag(rate(x[5m]), ${option})`;
      const answer = await get(proxy, '/api/v1/query', { query });
      expect([answer.status, JSON.parse(answer.text)]).toEqual([
        400,
        { status: 'error', errorType: 'bad_data', error: `parse error at char ${query.indexOf('=') + 2}: ${limit}` },
      ]);
    }
  });

  it('parse errors are 400 bad_data with the position', async () => {
    const proxy = await proxyWith();
    const answer = await get(proxy, '/api/v1/query', { query: 'anomaly_flag(rate(x[5m]), trees=0)' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'parse error at char 33: trees must be an integer of at least 1, got 0',
    });
  });

  it("the upstream's parse error of the wrapped expression comes back with its status, placed in the query sent", async () => {
    const proxy = await proxyWith();
    const answer = await get(proxy, '/api/v1/query_range', queryRange('anomaly_flag(syntax_error)'));
    expect(answer.status).toBe(400);
    // The fake answered 1:1 of what it was sent; `syntax_error` is at char 13 of the client's query.
    expect(JSON.parse(answer.text).error).toBe('parse error at char 13: unexpected identifier "syntax_error"');
  });

  it('an unreachable upstream is 503 unavailable, and the proxy recovers when it is back', async () => {
    const proxy = await proxyWith();
    const port = prometheus.port;
    await prometheus.close();
    const down = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(down.status).toBe(503);
    expect(JSON.parse(down.text)).toMatchObject({ status: 'error', errorType: 'unavailable' });
    expect(JSON.parse(down.text).error).toContain('upstream "prom" unreachable');
    expect(await metricValue(proxy, 'telemetry_proxy_upstream_errors_total{upstream="prom",kind="unreachable"}')).toBe(
      1
    );

    prometheus = await startFakePrometheus(SERIES, port);
    const up = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(up.status).toBe(200);
  });

  it('an upstream that does not answer in time is 503 timeout', async () => {
    prometheus.mode = 'hang';
    const yaml = `listen: "127.0.0.1:0"\nupstreams:\n  prom: { type: prometheus, url: "${prometheus.url}", timeout: 200ms }\nlog: { level: silent }`;
    const proxy = await startProxy(parseConfig(yaml, 'test'));
    running.push(proxy);
    const answer = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({
      status: 'error',
      errorType: 'timeout',
      error: 'upstream "prom" did not answer within 200ms',
    });
  });

  it('a nonsense upstream answer is 502', async () => {
    prometheus.mode = 'garbage';
    const proxy = await proxyWith();
    const answer = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual({
      status: 'error',
      errorType: 'internal',
      error: 'upstream "prom" gave an invalid answer: the body is not JSON',
    });
  });

  it('unknown endpoints are 404 in Prometheus format', async () => {
    const proxy = await proxyWith();
    const answer = await get(proxy, '/api/v1/admin/tsdb/delete_series');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toMatchObject({ status: 'error', errorType: 'not_found' });
  });

  it('range parameters are validated like Prometheus does', async () => {
    const proxy = await proxyWith();
    const badStep = await get(proxy, '/api/v1/query_range', { ...queryRange('anomaly_score(cpu)'), step: 'often' });
    expect(JSON.parse(badStep.text)).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "step": cannot parse "often" to a valid duration',
    });
    const reversed = await get(proxy, '/api/v1/query_range', queryRange('anomaly_score(cpu)', at(10), at(5)));
    expect(reversed.status).toBe(400);
    const rfc3339 = await get(proxy, '/api/v1/query_range', {
      ...queryRange(`anomaly_score(cpu, ${FIXED})`),
      start: new Date(at(400)).toISOString(),
      end: new Date(at(401)).toISOString(),
      step: '1m',
    });
    expect(JSON.parse(rfc3339.text).data.result[0].values).toHaveLength(2);
  });
});

describe('security and limits', () => {
  it('refuses a form body whose bytes are not UTF-8 text, before any upstream is asked (an attack review)', async () => {
    // Read as text, the byte 0xFF became U+FFFD, and InfluxDB ran `host = '\uFFFD'`: another query than the one sent.
    const influx = await startFakeInflux({});
    fakes.push(influx);
    const proxy = await proxyWith(
      '',
      `  influx: { type: influxdb, url: "${influx.url}", influx: { database: telemetry } }`
    );
    const query = (host: string) =>
      `query=anomaly_score(influxql("SELECT mean(cpu) FROM telemetry WHERE $timeFilter AND host = '${host}' ` +
      `GROUP BY time($interval), host"), upstream="influx")&time=${at(460) / 1000}`;
    const sent = async (body: Buffer) => {
      const response = await fetch(`${proxy.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return { status: response.status, answer: await response.json() };
    };
    const [before, after] = query('\u0000')
      .split('\u0000')
      .map((text) => Buffer.from(text, 'latin1'));
    expect(await sent(Buffer.concat([before, Buffer.from([0xff]), after]))).toEqual({
      status: 400,
      answer: {
        status: 'error',
        errorType: 'bad_data',
        error: 'the form body is not UTF-8 text: percent-encode its parameters as UTF-8',
      },
    });
    expect(prometheus.requests).toEqual([]);
    expect(influx.requests).toEqual([]);
    // The same host name in UTF-8 (as bytes, or percent-encoded) is read and sent on.
    expect((await sent(Buffer.from(query('é'), 'utf8'))).status).toBe(200);
    expect((await sent(Buffer.from(query('%C3%A9'), 'utf8'))).status).toBe(200);
    expect(influx.requests.map((r) => r.params.get('q'))).toEqual([
      expect.stringContaining("host = 'é'"),
      expect.stringContaining("host = 'é'"),
    ]);
  });

  it.each(['GET', 'POST'] as const)(
    'refuses more than MAX_PARAMETERS parameters in a %s request, before reading them (an attack review)',
    async (method) => {
      // 262 000 `&a=1` in a 1 MiB body held the event loop ~0.6 s a request; each was read, checked and sent on.
      const proxy = await proxyWith();
      const request = (extra: number) => {
        const text = `query=cpu&time=${at(460) / 1000}` + '&a=1'.repeat(extra);
        return method === 'GET'
          ? fetch(`${proxy.url}/api/v1/query?${text}`)
          : fetch(`${proxy.url}/api/v1/query`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: text,
            });
      };
      const atLimit = await request(MAX_PARAMETERS - 2);
      expect(atLimit.status).toBe(200);
      const tooMany = await request(MAX_PARAMETERS - 1);
      expect([tooMany.status, await tooMany.json()]).toEqual([
        400,
        {
          status: 'error',
          errorType: 'bad_data',
          error: `more than ${MAX_PARAMETERS} parameters in one request's URL or form body`,
        },
      ]);
      expect(prometheus.requests.filter((r) => r.path === '/api/v1/query')).toHaveLength(1);
    }
  );

  it('never contacts a host named in the query: upstream="http://…" is refused, URLs in expressions go to the configured upstream', async () => {
    const evil = await startFakePrometheus(SERIES);
    fakes.push(evil);
    const proxy = await proxyWith();
    const refused = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, upstream="${evil.url}")`));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text).error).toBe(
      `parse error at char 29: unknown upstream "${evil.url}"; configured upstreams: prom`
    );
    await get(
      proxy,
      '/api/v1/query_range',
      queryRange(`anomaly_score(cpu{instance="${evil.url}/api/v1/query_range"}, ${FIXED})`)
    );
    await get(proxy, '/api/v1/label/..%2F..%2Fevil/values');
    expect(evil.requests).toEqual([]);
    expect(prometheus.requests.length).toBeGreaterThan(0);
  });

  it('requires configured credentials on /api when auth is on (401 in Prometheus format), not on /healthz', async () => {
    const proxy = await proxyWith('auth: { bearerTokens: [tok1], basicUsers: [{ username: vmalert, password: pw }] }');
    const anonymous = await get(proxy, '/api/v1/query', { query: '1+1' });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ status: 'error', errorType: 'unauthorized' });
    expect((await get(proxy, '/api/v1/query', { query: '1+1' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(proxy, '/api/v1/query', { query: '1+1' }, { authorization: 'Bearer tok1' })).status).toBe(200);
    const basic = `Basic ${Buffer.from('vmalert:pw').toString('base64')}`;
    expect((await get(proxy, '/api/v1/query', { query: '1+1' }, { authorization: basic })).status).toBe(200);
    expect((await get(proxy, '/healthz')).status).toBe(200);
  });

  it('rejects a body over limits.bodyLimit with 413 and a query over limits.maxQueryLength with 400', async () => {
    const proxy = await proxyWith('limits: { bodyLimit: 200, maxQueryLength: 50 }');
    const big = await post(proxy, '/api/v1/query', { query: 'x'.repeat(300) });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toMatchObject({ status: 'error', errorType: 'bad_data' });
    const long = await get(proxy, '/api/v1/query', { query: `sum(${'x'.repeat(60)})` });
    expect(long.status).toBe(400);
    expect(JSON.parse(long.text).error).toBe(
      'invalid parameter "query": 65 characters; at most 50 (limits.maxQueryLength)'
    );
  });

  it('refuses more series than limits.maxSeriesPerQuery with 422', async () => {
    const proxy = await proxyWith('limits: { maxSeriesPerQuery: 1 }');
    const answer = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.text).errorType).toBe('execution');
  });

  /** A proxy whose Prometheus upstream has a password (pw-V3ry-S3cret), its log lines collected as they come. */
  async function proxyWithSecret(level: string, upstreamUrl = prometheus.url) {
    const logs = new PassThrough();
    const log = { text: '' };
    logs.on('data', (chunk) => (log.text += chunk.toString()));
    process.env.TEST_PROM_PASSWORD = 'pw-V3ry-S3cret';
    const yaml = `listen: "127.0.0.1:0"
upstreams:
  prom: { type: prometheus, url: "${upstreamUrl}", auth: { basic: { username: grafana, password: "\${TEST_PROM_PASSWORD}" } } }
log: { level: ${level} }`;
    const proxy = await startProxy(parseConfig(yaml, 'test'), { logStream: logs });
    running.push(proxy);
    return { proxy, log };
  }

  it('sends upstream credentials but never logs them', async () => {
    const { proxy, log } = await proxyWithSecret('debug');
    await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    await get(proxy, '/api/v1/query', { query: 'anomaly_flag(' }, { authorization: 'Bearer client-token-123' });
    await prometheus.close();
    await get(proxy, '/api/v1/query', { query: 'up' });
    expect(prometheus.requests[0].authorization).toBe(
      `Basic ${Buffer.from('grafana:pw-V3ry-S3cret').toString('base64')}`
    );
    expect(log.text).toContain('"reqId"');
    for (const secret of [
      'pw-V3ry-S3cret',
      Buffer.from('grafana:pw-V3ry-S3cret').toString('base64'),
      'client-token-123',
    ]) {
      expect(log.text).not.toContain(secret);
    }
  });

  it('keeps every log line JSON with a short secret (a tenant id "1" in X-Scope-OrgID), its numbers and paths whole', async () => {
    // An install review: every line came out as "time":[redacted]796469058750 … "/api/v[redacted]/query".
    const logs = new PassThrough();
    const log = { text: '' };
    logs.on('data', (chunk) => (log.text += chunk.toString()));
    const yaml = `listen: "127.0.0.1:0"
upstreams:
  prom: { type: prometheus, url: "${prometheus.url}", auth: { headers: { X-Scope-OrgID: "1" } } }
log: { level: info }`;
    const proxy = await startProxy(parseConfig(yaml, 'test'), { logStream: logs });
    running.push(proxy);
    expect((await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`))).status).toBe(200);
    expect((await get(proxy, '/api/v1/query', { query: 'up' })).status).toBe(200);
    while ((log.text.match(/request completed/g) ?? []).length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const lines = log.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.every((line) => typeof line.time === 'number' && typeof line.pid === 'number')).toBe(true);
    expect(lines.map((line) => line.req?.url).filter(Boolean)).toContain('/api/v1/query?query=up');
    expect(lines[0].msg).toMatch(/^Server listening at http:\/\/127\.0\.0\.1:\d+$/);
    expect(prometheus.requests.map((request) => request.orgId)).toEqual(prometheus.requests.map(() => '1'));
  });

  it('logs why a query was refused (Grafana POSTs its queries: the request line holds none)', async () => {
    const logs = new PassThrough();
    let text = '';
    logs.on('data', (chunk) => (text += chunk.toString()));
    const proxy = await proxyWith('', '', { logStream: logs });
    expect((await post(proxy, '/api/v1/query', { query: 'anomaly_flag(cpu, trees=0)' })).status).toBe(400);
    while (!/request completed/.test(text)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: 'query refused',
        errorType: 'bad_data',
        error: expect.stringContaining('trees must be an integer of at least 1, got 0'),
      })
    );
  });

  it('logs and answers no credential an upstream echoes in what it sends (a series label: the "trained a model" line, the answer)', async () => {
    const basic = Buffer.from('grafana:pw-V3ry-S3cret').toString('base64');
    const leaky = await startFakePrometheus([
      {
        labels: { __name__: 'cpu', instance: 'a', leak: 'pw-V3ry-S3cret', auth: `Basic ${basic}` },
        valueAt: SERIES[0].valueAt,
      },
    ]);
    fakes.push(leaky);
    const { proxy, log } = await proxyWithSecret('info', leaky.url);
    const answer = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(cpu, ${FIXED})`));
    expect(answer.status).toBe(200);
    while (!/request completed/.test(log.text)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(log.text).toMatch(/trained a model.*\[redacted\]|\[redacted\].*trained a model/);
    expect(log.text).not.toContain('pw-V3ry-S3cret');
    expect(log.text).not.toContain(basic);
    // Nor does the answer the proxy built from those labels (an attack review: the labels came back as sent).
    expect(answer.text).not.toContain('pw-V3ry-S3cret');
    expect(answer.text).not.toContain(basic);
    expect(JSON.parse(answer.text).data.result[0].metric).toMatchObject({ instance: 'a', leak: '[redacted]' });
    expect(await metricValue(proxy, 'telemetry_proxy_secrets_redacted_total')).toBeGreaterThan(0);
  });

  it('answers a guess at a secret as any other text (no oracle), and logs no secret sent in a URL, even encoded', async () => {
    const { proxy, log } = await proxyWithSecret('info');
    const errorFor = async (guess: string) => {
      const answer = await get(proxy, '/api/v1/query', { query: `anomaly_score(cpu, upstream="x ${guess} y")` });
      expect(answer.status).toBe(400);
      return (JSON.parse(answer.text).error as string).replace(guess, '<guess>');
    };
    // A right guess and a wrong one get the same answer: the client's own text, read back.
    expect(await errorFor('pw-V3ry-S3cret')).toBe(await errorFor('pw-Wr0ng-S3cret'));
    expect(await errorFor('pw-V3ry-S3cret')).toMatch(/unknown upstream "x <guess> y"/);
    // In a URL as sent, and percent-encoded: neither reaches the log.
    await get(proxy, '/api/v1/query', { query: 'up', access_token: 'pw-V3ry-S3cret' });
    const encoded = await fetch(`${proxy.url}/api/v1/query?query=up&access_token=%70w-V3ry-S3cret`);
    await encoded.text();
    // The request line is written once the answer is sent: wait for all five.
    while ((log.text.match(/request completed/g) ?? []).length < 5) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(log.text).toContain('"url":"/api/v1/query?[redacted]"');
    expect(log.text).not.toContain('pw-V3ry-S3cret');
    expect(log.text).not.toContain('%70w-V3ry-S3cret');
  });

  it("answers a guess spelled with PromQL escapes as any other text: the escaped secret is the client's own text too", async () => {
    const { proxy } = await proxyWithSecret('silent');
    // \x2d is "-": the client's text holds no secret as sent, but the option's value, decoded, is the secret.
    const errorFor = async (guess: string) => {
      const answer = await get(proxy, '/api/v1/query', { query: `anomaly_score(cpu, upstream="x ${guess} y")` });
      expect(answer.status).toBe(400);
      return JSON.parse(answer.text).error as string;
    };
    expect(await errorFor('pw\\x2dV3ry-S3cret')).toMatch(/unknown upstream "x pw-V3ry-S3cret y"/);
    expect(await errorFor('pw\\x2dWr0ng-S3cret')).toMatch(/unknown upstream "x pw-Wr0ng-S3cret y"/);
    expect(await errorFor('pw\\u002dV3ry-S3cret')).toMatch(/unknown upstream "x pw-V3ry-S3cret y"/);
    // Without any escape, as before: echoed.
    expect(await errorFor('pw-V3ry-S3cret')).toMatch(/unknown upstream "x pw-V3ry-S3cret y"/);
  });

  it("takes a client's X-Request-Id as it is when it is an id, a secret in it or not; else answers and logs its own", async () => {
    // Not asked whether it holds a secret: the proxy's own id answered then told anyone, without credentials, whether a
    // guess was a secret (an attack review recovered a 4-digit tenant id in 35 requests to /healthz).
    const { proxy, log } = await proxyWithSecret('info');
    const idOf = async (id: string) => (await get(proxy, '/api/v1/labels', {}, { 'x-request-id': id })).headers;
    expect((await idOf('trace-0af7651916cd43dd')).get('x-request-id')).toBe('trace-0af7651916cd43dd');
    expect((await idOf('pw-V3ry-S3cret')).get('x-request-id')).toBe('pw-V3ry-S3cret');
    expect((await idOf('pw-V3ry-S3creX')).get('x-request-id')).toBe('pw-V3ry-S3creX');
    for (const refused of ['x'.repeat(129), 'two words']) {
      const id = (await idOf(refused)).get('x-request-id')!;
      expect(id).not.toBe(refused);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    while ((log.text.match(/request completed/g) ?? []).length < 5) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(log.text).toContain('"reqId":"trace-0af7651916cd43dd"');
    expect(log.text).not.toContain('pw-V3ry-S3cret');
    expect(log.text).not.toContain('x'.repeat(129));
  });

  it("removes the proxy's secrets from an upstream's error answer passed on (a gateway quoting the request's headers)", async () => {
    const { proxy } = await proxyWithSecret('silent');
    const answer = await get(proxy, '/api/v1/query_range', queryRange(`anomaly_score(echo_headers, ${FIXED})`));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('refused: Basic [redacted]');
    expect(answer.text).not.toContain(Buffer.from('grafana:pw-V3ry-S3cret').toString('base64'));
    // Plain PromQL's error answers too, passed through from Prometheus (most of the traffic; a re-review found them
    // streamed unredacted).
    const plain = await get(proxy, '/api/v1/query_range', queryRange('rate(echo_headers[5m])'));
    expect(plain.status).toBe(400);
    expect(JSON.parse(plain.text)).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'refused: Basic [redacted]',
    });
    // Counted (and logged), so an operator sees an upstream echoing credentials, or a client probing guesses.
    const metrics = await get(proxy, '/metrics', {});
    expect(metrics.text).toMatch(/^telemetry_proxy_secrets_redacted_total 2$/m);
  });

  it("logs one line per request (method, URL, status), not fastify's incoming/completed pair", async () => {
    const logs = new PassThrough();
    let logText = '';
    logs.on('data', (chunk) => (logText += chunk.toString()));
    const yaml = `listen: "127.0.0.1:0"
upstreams:
  prom: { type: prometheus, url: "${prometheus.url}" }
log: { level: info }`;
    const proxy = await startProxy(parseConfig(yaml, 'test'), { logStream: logs });
    running.push(proxy);
    expect((await get(proxy, '/api/v1/query', { query: 'up' })).status).toBe(200);
    const lines = logText
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.reqId !== undefined);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request completed', req: { method: 'GET' }, res: { statusCode: 200 } });
    expect(lines[0].req.url).toMatch(/^\/api\/v1\/query\?/);
  });

  it('writes its log lines to logDestination (in batches), and what has gathered when it closes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'proxy-log-')), 'proxy.log');
    const yaml = `listen: "127.0.0.1:0"
upstreams:
  prom: { type: prometheus, url: "${prometheus.url}" }
log: { level: info }`;
    const proxy = await startProxy(parseConfig(yaml, 'test'), { logDestination: file });
    expect((await get(proxy, '/api/v1/query', { query: 'up' })).status).toBe(200);
    await proxy.close();
    // close() asks for the gathered lines to be written; the write itself completes on libuv's pool.
    const requestLines = () =>
      (existsSync(file) ? readFileSync(file, 'utf8') : '')
        .split('\n')
        .filter((line) => line.includes('"reqId"'))
        .map((line) => JSON.parse(line));
    while (requestLines().length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(requestLines()).toEqual([expect.objectContaining({ msg: 'request completed', res: { statusCode: 200 } })]);
  });
});

describe('operations', () => {
  it('/readyz reports upstream reachability; /metrics counts requests by endpoint and code', async () => {
    const proxy = await proxyWith();
    const ready = await get(proxy, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready', upstreams: { prom: { ok: true, detail: 'HTTP 200' } } });
    await get(proxy, '/api/v1/query', { query: 'anomaly_flag(' });
    expect(await metricValue(proxy, 'telemetry_proxy_http_requests_total{endpoint="/api/v1/query",code="400"}')).toBe(
      1
    );
  });

  it('/metrics has every documented failure counter at 0 before the first failure, for rules to read', async () => {
    const proxy = await proxyWith();
    for (const kind of ['unreachable', 'timeout', 'bad_answer', 'http_5xx', 'too_large']) {
      expect(await metricValue(proxy, `telemetry_proxy_upstream_errors_total{upstream="prom",kind="${kind}"}`)).toBe(0);
    }
    for (const reason of ['canceled', 'timeout', 'unavailable']) {
      expect(await metricValue(proxy, `telemetry_proxy_queries_aborted_total{reason="${reason}"}`)).toBe(0);
    }
  });

  it('/metrics counts requests answered before any route: undecodable path parameters, unknown paths', async () => {
    const proxy = await proxyWith();
    // Path parameters that cannot be decoded: the router answers them (frameworkErrors) before any route or hook.
    for (const path of ['/api/v1/label/%/values', '/api/v1/label/%c0%af/values']) {
      expect((await fetch(`${proxy.url}${path}`)).status).toBe(400);
    }
    await get(proxy, '/no/such/endpoint');
    expect(await metricValue(proxy, 'telemetry_proxy_http_requests_total{endpoint="unmatched",code="400"}')).toBe(2);
    expect(await metricValue(proxy, 'telemetry_proxy_http_requests_total{endpoint="unmatched",code="404"}')).toBe(1);
  });

  it('/readyz stays 200 ("degraded") when another upstream than the default is down, and says which', async () => {
    const other = await startFakePrometheus(SERIES);
    fakes.push(other);
    const proxy = await proxyWith('', `  other: { type: prometheus, url: "${other.url}", timeout: 2s }`);
    await other.close();
    const ready = await get(proxy, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'degraded',
      upstreams: {
        prom: { ok: true, detail: 'HTTP 200' },
        other: { ok: false, detail: 'upstream "other" unreachable' },
      },
    });
  });

  it('/readyz is 503 when the default upstream is down', async () => {
    const proxy = await proxyWith();
    await prometheus.close();
    const ready = await get(proxy, '/readyz');
    expect(ready.status).toBe(503);
    // What failed, without the address it failed at (the endpoint needs no credentials).
    expect(JSON.parse(ready.text).upstreams.prom).toEqual({ ok: false, detail: 'upstream "prom" unreachable' });
    expect(ready.text).not.toContain('127.0.0.1');
  });

  it('close() lets an in-flight request finish before resolving', async () => {
    prometheus.mode = 'hang';
    const yaml = `listen: "127.0.0.1:0"\nupstreams:\n  prom: { type: prometheus, url: "${prometheus.url}", timeout: 300ms }\nlog: { level: silent }`;
    const proxy = await startProxy(parseConfig(yaml, 'test'));
    const inFlight = get(proxy, '/api/v1/query', { query: 'up' });
    while (prometheus.requests.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await proxy.close();
    // The request was answered (the upstream timed out), not cut off by the shutdown.
    expect((await inFlight).status).toBe(503);
  });
});
