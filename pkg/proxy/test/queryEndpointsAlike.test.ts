/**
 * Every endpoint that takes a query refuses an anomaly query as /api/v1/query_range does (an attack review:
 * query_exemplars answered 200, or the upstream's own error, for queries query_range refuses with a 400).
 */
import { type FakeSeries } from './support/fakeUpstreams';
import { type ProxyOverFakes, startProxyOverFakes } from './support/proxyOverFakes';

const STEP = 60_000;
const T0 = 1_699_999_980_000;
const SERIES: FakeSeries[] = [
  { labels: { __name__: 'cpu', instance: 'a' }, valueAt: (t) => 10 + Math.sin((t - T0) / STEP / 7) },
];
const FIXED = `train_start=${T0 / 1000}, train_end=${(T0 + 300 * STEP) / 1000}, trees=30, window=6, lags=1`;
const range = { start: String((T0 + 400 * STEP) / 1000), end: String((T0 + 460 * STEP) / 1000), step: '60' };

let running: ProxyOverFakes;

beforeAll(async () => {
  running = await startProxyOverFakes({ prom: SERIES });
});

afterAll(() => running.close());

async function get(path: string, params: Record<string, string>) {
  const response = await fetch(`${running.proxy.url}${path}?${new URLSearchParams(params)}`);
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('query_exemplars refuses an anomaly query as query_range does', () => {
  // An attacker's list: each is refused by query_range before any upstream is asked.
  const refused: Array<[string, Record<string, string>]> = [
    ['an option the grammar refuses', { ...range, query: 'anomaly_flag(cpu, trees=0)' }],
    ['an option over the proxy limit', { ...range, query: 'anomaly_flag(cpu, trees=1001)' }],
    ['an unknown upstream (a URL smuggled in)', { ...range, query: 'anomaly_flag(cpu, upstream="http://evil:1")' }],
    ['InfluxQL on a Prometheus upstream', { ...range, query: 'anomaly_flag(influxql("DROP DATABASE telemetry"))' }],
    ['a training range over its limit', { ...range, query: 'anomaly_flag(cpu, train="100y")' }],
    ['a training range too short to train', { ...range, query: 'anomaly_flag(cpu, train="1ms")' }],
    ['too many points at the step= option', { ...range, query: 'anomaly_flag(cpu, step="1ms")' }],
    ['a warm-up beyond any time', { ...range, query: 'anomaly_flag(cpu, step="100000d", window=1440)' }],
    [
      'online scoring after a train_end past the range',
      {
        ...range,
        query: `anomaly_flag(cpu, online=true, train_start=${T0 / 1000}, train_end=${T0 / 1000 + 500 * 60})`,
      },
    ],
    ['too many points at the request step', { ...range, query: `anomaly_flag(cpu, ${FIXED})`, step: '0.001' }],
    ['a zero step', { ...range, query: `anomaly_flag(cpu, ${FIXED})`, step: '0' }],
    ['an end before the start', { ...range, query: `anomaly_flag(cpu, ${FIXED})`, end: '1' }],
    ['no start', { query: `anomaly_flag(cpu, ${FIXED})`, end: range.end, step: '60' }],
    ['a time beyond any date', { ...range, query: `anomaly_flag(cpu, ${FIXED})`, end: '1e13' }],
    ['a timeout that does not parse', { ...range, query: `anomaly_flag(cpu, ${FIXED})`, timeout: 'soon' }],
  ];

  it.each(refused)('%s', async (_what, params) => {
    const before = await upstreamRequests();
    const queryRange = await get('/api/v1/query_range', params);
    expect(queryRange).toMatchObject({ status: 400, body: { status: 'error', errorType: 'bad_data' } });
    expect(await get('/api/v1/query_exemplars', params)).toEqual(queryRange);
    expect(await upstreamRequests()).toBe(before);
  });

  it('answers no exemplars for an anomaly query it would evaluate, with or without a step, asking no upstream', async () => {
    const before = await upstreamRequests();
    const query = `anomaly_flag(cpu, ${FIXED})`;
    for (const params of [
      { ...range, query },
      { query, start: range.start, end: range.end },
    ]) {
      expect(await get('/api/v1/query_exemplars', params)).toEqual({
        status: 200,
        body: { status: 'success', data: [] },
      });
    }
    expect(await upstreamRequests()).toBe(before);
    expect((await get('/api/v1/query_range', { ...range, query })).status).toBe(200);
  });

  it('refuses on format_query what no range decides, as query_range does', async () => {
    for (const query of ['anomaly_flag(cpu, trees=1001)', 'anomaly_flag(cpu, upstream="http://evil:1")']) {
      const queryRange = await get('/api/v1/query_range', { ...range, query });
      expect(queryRange.status).toBe(400);
      expect(await get('/api/v1/format_query', { query })).toEqual(queryRange);
    }
  });
});

/** Requests the proxy has sent upstream. */
async function upstreamRequests(): Promise<number> {
  return running.fakes[0].requests.length;
}
