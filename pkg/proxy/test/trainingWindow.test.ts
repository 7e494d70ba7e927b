// Which data a relative training window (train="12h") learns from: the query's own range decides it, never the query
// that happened to train first (a review's attack: a range query over last week trained the model every alert of
// the next hour then scored with).
import { parseConfig } from '../src/config';
import { RunningProxy, startProxy } from '../src/server';
import { FakeServer, startFakePrometheus } from './support/fakeUpstreams';

const HOUR = 3_600_000;
const STEP = 60_000;
/** "Now": a whole hour, so the instant query's training window ends one hour before it. */
const NOW = 1_700_002_800_000;
/** A day before now the series moved from ~10 to ~100 and stayed there. */
const SHIFT = NOW - 24 * HOUR;

const level = (t: number) => (t < SHIFT ? 10 : 100) + 2 * Math.sin(t / (7 * STEP)) + ((t / STEP) % 11) / 10;
const QUERY = 'anomaly_score(cpu, train="12h", step="1m", trees=30, window=6, lags=1, seasonality=false, seed=5)';

let prometheus: FakeServer;
const proxies: RunningProxy[] = [];

beforeEach(async () => {
  clock = NOW;
  // No samples after the proxies' clock (NaN: none at that step), as a real Prometheus has none yet.
  prometheus = await startFakePrometheus([
    { labels: { __name__: 'cpu', instance: 'a' }, valueAt: (t) => (t > clock ? NaN : level(t)) },
  ]);
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await prometheus.close();
});

/** The proxies' clock. */
let clock = NOW;

async function proxy(): Promise<RunningProxy> {
  const yaml = `
listen: "127.0.0.1:0"
upstreams:
  prom: { type: prometheus, url: "${prometheus.url}" }
engine: { retrainInterval: 1h }
log: { level: silent }`;
  const started = await startProxy(parseConfig(yaml, 'test'), { now: () => clock });
  proxies.push(started);
  return started;
}

async function ask(target: RunningProxy, path: string, params: Record<string, string>) {
  const response = await fetch(`${target.url}${path}`, { method: 'POST', body: new URLSearchParams(params) });
  expect(response.status).toBe(200);
  return (await response.json()) as { data: { result: Array<{ values?: unknown[]; value?: unknown[] }> } };
}

const alertNow = (target: RunningProxy) => ask(target, '/api/v1/query', { query: QUERY, time: String(clock / 1000) });

async function trainings(target: RunningProxy): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  return [...text.matchAll(/^telemetry_proxy_model_trainings_total(?:\{[^}]*\})? (\S+)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0
  );
}

async function modelsInCache(target: RunningProxy): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  return Number(/^telemetry_proxy_models_in_cache (\S+)$/m.exec(text)?.[1]);
}

describe('a relative training window', () => {
  it('trains on the window before the query itself: a look at last week does not change what the alert sees', async () => {
    const fresh = await alertNow(await proxy());
    const looked = await proxy();
    // Someone looks at the day before the shift first: that query's model learns the old level (~10).
    const past = await ask(looked, '/api/v1/query_range', {
      query: QUERY,
      start: String((NOW - 30 * HOUR) / 1000),
      end: String((NOW - 29 * HOUR) / 1000),
      step: '60',
    });
    expect(past.data.result).toHaveLength(1);
    // The alert's query then scores with a model of its own window (~100): the very score of a proxy that never
    // saw the look at the past (with that look's model it was another one).
    const after = await alertNow(looked);
    expect(after).toEqual(fresh);
    expect(after.data.result).toHaveLength(1);
  });

  it('a query over the future cannot train the model a later interval will use', async () => {
    const fresh = await proxy();
    const early = await proxy();
    // 20 minutes into the hour, someone asks about the next hour: its window may not end after this hour's start.
    clock = NOW + 20 * STEP;
    await ask(early, '/api/v1/query_range', {
      query: QUERY,
      start: String((NOW + HOUR + 30 * STEP) / 1000),
      end: String((NOW + HOUR + 35 * STEP) / 1000),
      step: '60',
    });
    // In the next hour the alert trains its own model, on data that now exists: as a proxy that saw nothing.
    clock = NOW + HOUR + 20 * STEP;
    expect(await alertNow(early)).toEqual(await alertNow(fresh));
  });

  it('a fixed training range that ends in the future is trained again once it has ended (not fixed by the first query)', async () => {
    // An attack review: the first query of train_end = now + 150 s trained on the part that existed, and that model
    // served every later query of the range for good (it stayed in the store across restarts too).
    const fixed = (target: RunningProxy) =>
      ask(target, '/api/v1/query', {
        query: `anomaly_score(cpu, train_start="${(SHIFT - 6 * HOUR) / 1000}", train_end="${(NOW + 2 * HOUR) / 1000}", step="1m", trees=30, window=6, lags=1, seasonality=false, seed=5)`,
        time: String(clock / 1000),
      });
    const early = await proxy();
    clock = NOW;
    await fixed(early);
    // After the range has ended: the same answer as a proxy that never saw the range unfinished.
    clock = NOW + 3 * HOUR;
    const fresh = await proxy();
    expect(await fixed(early)).toEqual(await fixed(fresh));
    expect(await trainings(early)).toBe(2);
    // And once trained after its end, the model serves for good.
    clock = NOW + 30 * HOUR;
    await fixed(early);
    expect(await trainings(early)).toBe(2);
  });

  it('an alert that moves on with time gets a model per retrain interval, and models unused for one leave memory', async () => {
    const target = await proxy();
    const cached: number[] = [];
    for (let hour = 0; hour < 4; hour++) {
      // 20 minutes into the hour: its data (from 13 minutes before) starts in the same interval.
      clock = NOW + hour * HOUR + 20 * STEP;
      await alertNow(target);
      cached.push(await modelsInCache(target));
    }
    // This hour's model and the last hour's (used until an hour ago); older ones gone.
    expect(cached).toEqual([1, 2, 2, 2]);
    const trainings = prometheus.requests.filter((r) => r.path === '/api/v1/query_range').length;
    // Within an interval the model serves on: no training.
    clock = NOW + 3 * HOUR + 50 * STEP;
    await alertNow(target);
    expect(prometheus.requests.filter((r) => r.path === '/api/v1/query_range').length).toBe(trainings + 1);
  });
});
