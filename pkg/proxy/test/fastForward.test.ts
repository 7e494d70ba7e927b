import { parseConfig } from '../src/config';
import { fetchStartAfterCache, seriesSetOf } from '@telemetry-analyzer/query';
import { RunningProxy, startProxy } from '../src/server';
import { FakeServer, FakeSeries, startFakePrometheus } from './support/fakeUpstreams';

const STEP = 60_000;
const T0 = 1_699_999_980_000; // a multiple of STEP
const at = (i: number) => T0 + i * STEP;
const REFETCH_STEPS = 10; // scoreCache.refetchWindow = 10m at a 1m step
const WINDOW = 6;
const LAGS = 1;
const WARMUP_STEPS = WINDOW + LAGS + 1;

/** Values the test can change after a query, as a late sample or a backfill would change them in Prometheus. */
const overrides = new Map<string, number>();
const overrideKey = (instance: string, t: number) => `${instance}@${t}`;

function wave(t: number, phase: number): number {
  const i = (t - T0) / STEP;
  return 10 + 2 * Math.sin(i / 7 + phase) + ((i * 37) % 11) / 10;
}

const series: FakeSeries[] = [];
const hostSeries = (instance: string, phase: number): FakeSeries => ({
  labels: { __name__: 'cpu', instance, job: 'node' },
  valueAt: (t) => overrides.get(overrideKey(instance, t)) ?? wave(t, phase),
});

/** A fixed training range keeps the model independent of the queried range (and never stale). */
const QUERY = `anomaly_score(cpu, train_start=${at(0) / 1000}, train_end=${at(300) / 1000}, trees=30, window=${WINDOW}, lags=${LAGS}, seasonality=false, seed=5, contamination=0.05)`;

let prometheus: FakeServer;
const proxies: RunningProxy[] = [];

beforeEach(async () => {
  overrides.clear();
  clock = undefined;
  series.splice(0, series.length, hostSeries('a', 0), hostSeries('b', 1));
  prometheus = await startFakePrometheus(series);
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await prometheus.close();
});

/** The proxy's clock [real time]: a test of queries reaching into the future sets it. */
let clock: (() => number) | undefined;

async function proxyWith(refetchWindow: string): Promise<RunningProxy> {
  const yaml = `
listen: "127.0.0.1:0"
upstreams:
  prom: { type: prometheus, url: "${prometheus.url}" }
scoreCache: { refetchWindow: ${refetchWindow} }
log: { level: silent }`;
  const proxy = await startProxy(parseConfig(yaml, 'test'), clock ? { now: clock } : {});
  proxies.push(proxy);
  return proxy;
}

/** The proxy's answer to QUERY over steps [from, to], parsed. */
async function queryRange(proxy: RunningProxy, from: number, to: number) {
  const body = new URLSearchParams({
    query: QUERY,
    start: String(at(from) / 1000),
    end: String(at(to) / 1000),
    step: String(STEP / 1000),
  });
  const response = await fetch(`${proxy.url}/api/v1/query_range`, { method: 'POST', body });
  const answer = await response.json();
  expect(response.status).toBe(200);
  return answer as { data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
}

/** The answer of a proxy that never saw the query (nothing cached) over the upstream's current data. */
async function uncachedAnswer(from: number, to: number) {
  return queryRange(await proxyWith('0'), from, to);
}

/** The [start, end] (ms) of every query_range the upstream received from request number `since` on. */
function fetchedRanges(since: number): Array<[number, number]> {
  return prometheus.requests
    .slice(since)
    .filter((r) => r.path === '/api/v1/query_range')
    .map((r) => [Math.round(Number(r.params.get('start')) * 1000), Math.round(Number(r.params.get('end')) * 1000)]);
}

function scoreAt(answer: Awaited<ReturnType<typeof queryRange>>, instance: string, step: number): string {
  const found = answer.data.result.find((s) => s.metric.instance === instance);
  const value = found?.values.find(([seconds]) => seconds * 1000 === at(step));
  if (!value) {
    throw new Error(`no score for instance ${instance} at step ${step}`);
  }
  return value[1];
}

describe('fast-forward fetching of warm anomaly queries', () => {
  it('(a) the same range again fetches only the refetch window before its end', async () => {
    const proxy = await proxyWith('10m');
    const first = await queryRange(proxy, 400, 500);
    expect(fetchedRanges(0)).toContainEqual([at(400 - WARMUP_STEPS), at(500)]);
    const since = prometheus.requests.length;
    const second = await queryRange(proxy, 400, 500);
    expect(fetchedRanges(since)).toEqual([[at(500 - REFETCH_STEPS), at(500)]]);
    expect(second).toEqual(first);
  });

  it('(a, b) a range shifted forward fetches from the previous end minus the window; same answer as uncached', async () => {
    const proxy = await proxyWith('10m');
    await queryRange(proxy, 400, 500);
    const since = prometheus.requests.length;
    const shifted = await queryRange(proxy, 407, 507);
    expect(fetchedRanges(since)).toEqual([[at(500 - REFETCH_STEPS), at(507)]]);
    const uncached = await uncachedAnswer(407, 507);
    expect(shifted.data.result).toHaveLength(2);
    expect(shifted).toEqual(uncached);
  });

  it('(c) a value changed inside the refetch window is picked up', async () => {
    const proxy = await proxyWith('10m');
    const before = await queryRange(proxy, 400, 500);
    overrides.set(overrideKey('a', at(496)), 60);
    const after = await queryRange(proxy, 400, 500);
    expect(scoreAt(after, 'a', 496)).not.toBe(scoreAt(before, 'a', 496));
    expect(after).toEqual(await uncachedAnswer(400, 500));
  });

  it('(d) a value changed before the refetch window is not seen (documented: trusted until retrained/evicted)', async () => {
    const proxy = await proxyWith('10m');
    const before = await queryRange(proxy, 400, 500);
    overrides.set(overrideKey('a', at(450)), 60);
    const after = await queryRange(proxy, 400, 500);
    expect(after).toEqual(before);
    // The upstream does have the change: a proxy that fetches everything sees it.
    const uncached = await uncachedAnswer(400, 500);
    expect(scoreAt(uncached, 'a', 450)).not.toBe(scoreAt(before, 'a', 450));
  });

  it('(e) a new series triggers a whole fetch, and the answer includes it', async () => {
    const proxy = await proxyWith('10m');
    await queryRange(proxy, 400, 500);
    series.push(hostSeries('c', 2));
    const since = prometheus.requests.length;
    const answer = await queryRange(proxy, 402, 502);
    const ranges = fetchedRanges(since);
    expect(ranges[0]).toEqual([at(500 - REFETCH_STEPS), at(502)]);
    expect(ranges).toContainEqual([at(402 - WARMUP_STEPS), at(502)]);
    expect(answer.data.result.map((s) => s.metric.instance).sort()).toEqual(['a', 'b', 'c']);
    expect(answer).toEqual(await uncachedAnswer(402, 502));
  });

  it('a series that disappeared triggers a whole fetch: the answer is that of an uncached proxy', async () => {
    const proxy = await proxyWith('10m');
    await queryRange(proxy, 400, 500);
    series.splice(1, 1);
    const since = prometheus.requests.length;
    const answer = await queryRange(proxy, 402, 502);
    expect(fetchedRanges(since)).toContainEqual([at(402 - WARMUP_STEPS), at(502)]);
    expect(answer.data.result.map((s) => s.metric.instance)).toEqual(['a']);
    expect(answer).toEqual(await uncachedAnswer(402, 502));
  });

  it('a range ending in the future is cached only up to the time of its fetch (a review: frozen rows poisoned it)', async () => {
    // Prometheus answers steps after its newest sample with that sample repeated (its lookback): frozen rows, not data.
    let present = at(500);
    series.splice(
      0,
      series.length,
      ...series.map((s) => ({ labels: s.labels, valueAt: (t: number) => s.valueAt(Math.min(t, present)) }))
    );
    clock = () => present;
    const proxy = await proxyWith('10m');
    await queryRange(proxy, 400, 520); // ends 20 steps after "now"
    // Time passes: the steps up to 520 now hold real samples.
    present = at(520);
    const since = prometheus.requests.length;
    const later = await queryRange(proxy, 400, 520);
    // Trusted only up to the first fetch's own time (500) minus the refetch window, not up to its requested end.
    expect(fetchedRanges(since)).toEqual([[at(500 - REFETCH_STEPS), at(520)]]);
    clock = undefined;
    expect(later).toEqual(await uncachedAnswer(400, 520));
  });

  it('refetchWindow 0 always fetches the whole range', async () => {
    const proxy = await proxyWith('0');
    await queryRange(proxy, 400, 500);
    const since = prometheus.requests.length;
    await queryRange(proxy, 400, 500);
    expect(fetchedRanges(since)).toEqual([[at(400 - WARMUP_STEPS), at(500)]]);
  });

  it('a range starting before the cached one is fetched whole', async () => {
    const proxy = await proxyWith('10m');
    await queryRange(proxy, 400, 500);
    const since = prometheus.requests.length;
    await queryRange(proxy, 390, 500);
    expect(fetchedRanges(since)).toEqual([[at(390 - WARMUP_STEPS), at(500)]]);
  });
});

describe('fetchStartAfterCache', () => {
  const request = { startMs: at(100), endMs: at(200), stepMs: STEP };
  const window = REFETCH_STEPS * STEP;

  it('starts at the first step of the request grid at or after the earliest cached end minus the window', () => {
    const cached = [
      { startMs: at(90), endMs: at(195), stepMs: STEP },
      { startMs: at(100), endMs: at(190) + 1, stepMs: STEP },
    ];
    expect(fetchStartAfterCache(cached, request, window)).toBe(at(181));
  });

  it('is undefined when the cache cannot serve the request start', () => {
    const fetched = (startMs: number, endMs: number, stepMs = STEP) => [{ startMs, endMs, stepMs }];
    expect(fetchStartAfterCache([], request, window)).toBeUndefined();
    expect(fetchStartAfterCache(fetched(at(101), at(200)), request, window)).toBeUndefined(); // starts after it
    expect(fetchStartAfterCache(fetched(at(90) + 1000, at(200)), request, window)).toBeUndefined(); // other grid
    expect(fetchStartAfterCache(fetched(at(90), at(200), 30_000), request, window)).toBeUndefined(); // other step
    expect(fetchStartAfterCache(fetched(at(90), at(105)), request, window)).toBeUndefined(); // all within the window
  });
});

describe('seriesSetOf (what a query record remembers of the series it fetched)', () => {
  const seriesOf = (...hosts: string[]) =>
    hosts.map((host) => ({ labels: { __name__: 'cpu', host, note: 'x'.repeat(4096) }, timestamps: [], values: [] }));

  it('is a fixed-size digest of the label sets, whatever their size, in any order', () => {
    const set = seriesSetOf(seriesOf('a', 'b', 'c'));
    expect(set).toMatch(/^[0-9a-f]{64}$/);
    expect(seriesSetOf(seriesOf('c', 'a', 'b'))).toBe(set);
    expect(seriesSetOf(seriesOf('a', 'b'))).not.toBe(set);
    expect(seriesSetOf(seriesOf('a', 'b', 'd'))).not.toBe(set);
  });
});

describe('scoreCache.refetchWindow config', () => {
  const base = 'upstreams: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }\n';
  it('defaults to 10m, accepts durations and 0, and rejects nonsense naming the key', () => {
    expect(parseConfig(base).scoreCache.refetchWindowMs).toBe(600_000);
    expect(parseConfig(`${base}scoreCache: { refetchWindow: 2m }`).scoreCache.refetchWindowMs).toBe(120_000);
    expect(parseConfig(`${base}scoreCache: { refetchWindow: 0 }`).scoreCache.refetchWindowMs).toBe(0);
    expect(() => parseConfig(`${base}scoreCache: { refetchWindow: soon }`)).toThrow(/scoreCache\.refetchWindow: /);
    expect(() => parseConfig(`${base}scoreCache: { refetch: 1m }`)).toThrow(/scoreCache\.refetch: unknown key/);
  });

  it('scoreCache.maxBytes defaults to 256 MiB, accepts 0 (no score cache), and rejects non-integers', () => {
    expect(parseConfig(base).scoreCache.maxBytes).toBe(268_435_456);
    expect(parseConfig(`${base}scoreCache: { maxBytes: 1000000 }`).scoreCache).toEqual({
      refetchWindowMs: 600_000,
      maxBytes: 1_000_000,
    });
    expect(parseConfig(`${base}scoreCache: { maxBytes: 0 }`).scoreCache.maxBytes).toBe(0);
    expect(() => parseConfig(`${base}scoreCache: { maxBytes: 1GB }`)).toThrow(
      /scoreCache\.maxBytes: must be an integer/
    );
  });
});
