/**
 * `online=true` anomaly queries: the proxy scores what the engine's OnlineDetector (and so `detect --online`) scores
 * on the same rows, an instant query agrees with a range query at its time, and the option parses strictly.
 */
import { OnlineDetector } from '@telemetry-analyzer/engine';
import { parseConfig } from '../src/config';
import { parseQuery } from '@telemetry-analyzer/query';
import { RunningProxy, startProxy } from '../src/server';
import { FakeServer, startFakePrometheus } from './support/fakeUpstreams';

const STEP = 60_000;
const T0 = 1_699_999_980_000; // a multiple of STEP
const at = (i: number) => T0 + i * STEP;
const TRAIN_END = 400;

function value(t: number): number {
  const i = (t - T0) / STEP;
  const spike = i === 520 ? 40 : 0;
  return 10 + 2 * Math.sin(i / 9) + ((i * 37) % 11) / 10 + spike;
}

const OPTIONS = `online=true, train_start=${at(0) / 1000}, train_end=${at(TRAIN_END) / 1000}, trees=30, window=6, lags=1, seasonality=false, seed=5, contamination=0.02, step=60s`;

let prometheus: FakeServer;
let proxy: RunningProxy;

beforeAll(async () => {
  prometheus = await startFakePrometheus([{ labels: { __name__: 'cpu', instance: 'a' }, valueAt: value }]);
  proxy = await startProxy(
    parseConfig(
      `listen: "127.0.0.1:0"\nupstreams:\n  prom: { type: prometheus, url: "${prometheus.url}" }\nlog: { level: silent }`,
      'test'
    )
  );
});

afterAll(async () => {
  await proxy.close();
  await prometheus.close();
});

async function ask(path: string, params: Record<string, string>) {
  const response = await fetch(`${proxy.url}${path}`, { method: 'POST', body: new URLSearchParams(params) });
  expect(response.status).toBe(200);
  return (await response.json()).data.result;
}

/** What the engine gives for rows [0, upTo] of the series with the training window's rows as warm-up. */
function engineOnline(upTo: number) {
  const timestamps = Float64Array.from({ length: upTo + 1 }, (_, i) => at(i));
  const detector = new OnlineDetector(
    ['cpu'],
    {
      features: { window: 6, lags: 1, seasonality: false },
      forest: { nEstimators: 30, seed: 5, contamination: 0.02 },
      mode: 'multivariate',
    },
    { warmup: TRAIN_END }
  );
  return detector.push({ timestamps, columns: [{ name: 'cpu', values: timestamps.map(value) }] });
}

describe('online=true', () => {
  it('answers with the calibrated scores the engine computes online on the same rows', async () => {
    const [series] = await ask('/api/v1/query_range', {
      query: `anomaly_score(cpu, ${OPTIONS})`,
      start: String(at(450) / 1000),
      end: String(at(600) / 1000),
      step: '60',
    });
    const expected = engineOnline(600);
    expect(series.values).toHaveLength(151);
    for (const [seconds, score] of series.values as Array<[number, string]>) {
      const row = (seconds * 1000 - T0) / STEP;
      expect(Number(score)).toBe(expected.scores[row]);
    }
    const spike = series.values.find(([seconds]: [number, string]) => seconds * 1000 === at(520));
    expect(Number(spike[1])).toBeGreaterThan(0.5);
  });

  it('flags what the engine flags, and an instant query gives the range query value at its time', async () => {
    const [flags] = await ask('/api/v1/query_range', {
      query: `anomaly_flag(cpu, ${OPTIONS})`,
      start: String(at(450) / 1000),
      end: String(at(600) / 1000),
      step: '60',
    });
    const expected = engineOnline(600);
    const flagged = (flags.values as Array<[number, string]>)
      .filter(([, v]) => v === '1')
      .map(([s]) => (s * 1000 - T0) / STEP);
    const expectedFlagged = Array.from(expected.isAnomaly.keys()).filter(
      (row) => row >= 450 && expected.isAnomaly[row] === 1
    );
    expect(flagged).toEqual(expectedFlagged);
    expect(flagged).toContain(520);

    const [instant] = await ask('/api/v1/query', {
      query: `anomaly_score(cpu, ${OPTIONS})`,
      time: String(at(520) / 1000),
    });
    expect(Number(instant.value[1])).toBe(expected.scores[520]);
  });

  it('refuses a fixed training range ending after the range scored (every point would warm up: nothing scored)', async () => {
    const query = `anomaly_score(cpu, online=true, train_start=${at(0) / 1000}, train_end=${at(700) / 1000}, step=60s)`;
    const response = await fetch(`${proxy.url}/api/v1/query_range`, {
      method: 'POST',
      body: new URLSearchParams({
        query,
        start: String(at(450) / 1000),
        end: String(at(600) / 1000),
        step: '60',
      }),
    });
    expect(response.status).toBe(400);
    // At train_end's value in the query.
    const position = query.indexOf('train_end=') + 'train_end='.length + 1;
    expect((await response.json()).error).toMatch(
      new RegExp(
        `^parse error at char ${position}: online=true scores the points after train_end, and train_end .* is after the range's end`
      )
    );
  });

  it('parses online=true/false only', () => {
    const parsed = parseQuery('anomaly_flag(cpu, online=true)');
    expect(parsed.kind === 'anomaly' && parsed.query.options.online).toBe(true);
    expect(() => parseQuery('anomaly_flag(cpu, online=yes)')).toThrow(/online must be true or false/);
  });
});

describe('online queries take turns model by model', () => {
  it("an online query of one series is answered while another's forty series are still being scored (one training turn)", async () => {
    const many = await startFakePrometheus(
      Array.from({ length: 40 }, (_, k) => ({
        labels: { __name__: 'load', instance: `h${k}` },
        valueAt: (t: number) => value(t) + k,
      }))
    );
    // The fake answers every query with all its series: the one-series query goes to an upstream of one.
    const one = await startFakePrometheus([{ labels: { __name__: 'load', instance: 'h0' }, valueAt: value }]);
    const turns = await startProxy(
      parseConfig(
        [
          'listen: "127.0.0.1:0"',
          `upstreams:\n  prom: { type: prometheus, url: "${many.url}" }\n  one: { type: prometheus, url: "${one.url}" }`,
          'defaultUpstream: prom',
          'limits: { maxConcurrency: 1 }',
          'workers: { training: 1 }',
          'log: { level: silent }',
        ].join('\n'),
        'test'
      )
    );
    try {
      const query = (selector: string) =>
        fetch(`${turns.url}/api/v1/query_range`, {
          method: 'POST',
          body: new URLSearchParams({
            query: `anomaly_score(${selector}, ${OPTIONS.replace('trees=30', 'trees=100')})`,
            start: String(at(TRAIN_END + 1) / 1000),
            end: String(at(700) / 1000),
            step: '60',
          }),
        }).then(async (response) => ({ status: response.status, at: performance.now() }));
      const big = query('load');
      // Once the big query holds the training turn (its data read, its first models scored) ...
      const metrics = () => fetch(`${turns.url}/metrics`).then((response) => response.text());
      while (!/^telemetry_proxy_rows_scored_total [1-9]/m.test(await metrics())) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      // ... a one-series query waits for one of its models, not for all forty.
      const [small, done] = await Promise.all([query('load, upstream="one"'), big]);
      expect(small.status).toBe(200);
      expect(done.status).toBe(200);
      expect(small.at).toBeLessThan(done.at);
    } finally {
      await turns.close();
      await Promise.all([many.close(), one.close()]);
    }
  });
});
