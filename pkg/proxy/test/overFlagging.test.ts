/** The proxy says, in Prometheus' `warnings`, when a series flags far more than its contamination asks for. */
import { parseConfig } from '../src/config';
import { RunningProxy, startProxy } from '../src/server';
import { FakeServer, startFakePrometheus } from './support/fakeUpstreams';

const STEP = 60_000;
const T0 = 1_699_999_980_000;
const at = (i: number) => T0 + i * STEP;
const noise = (i: number) => ((i * 37) % 11) / 10;

let shifted: FakeServer;
let steady: FakeServer;
let proxy: RunningProxy;

beforeAll(async () => {
  // The double ignores the query text: one upstream per series, chosen with upstream=.
  shifted = await startFakePrometheus([
    // Calm during training, then at a level the model never saw: batch flags many rows after the shift.
    {
      labels: { __name__: 'cpu', instance: 'a' },
      valueAt: (t) => 10 + noise((t - T0) / STEP) + (t >= at(400) ? 50 : 0),
    },
  ]);
  steady = await startFakePrometheus([
    { labels: { __name__: 'cpu', instance: 'a' }, valueAt: (t) => 10 + noise((t - T0) / STEP) },
  ]);
  const yaml = `listen: "127.0.0.1:0"
upstreams:
  shifted: { type: prometheus, url: "${shifted.url}" }
  steady: { type: prometheus, url: "${steady.url}" }
defaultUpstream: shifted
log: { level: silent }`;
  proxy = await startProxy(parseConfig(yaml, 'test'));
});

afterAll(async () => {
  await proxy.close();
  await shifted.close();
  await steady.close();
});

async function warningsOf(upstream: string, extra = ''): Promise<string[]> {
  const body = new URLSearchParams({
    query: `anomaly_flag(cpu, upstream="${upstream}", train_start=${at(0) / 1000}, train_end=${at(300) / 1000}, trees=30, seasonality=false, contamination=0.01${extra})`,
    start: String(at(350) / 1000),
    end: String(at(600) / 1000),
    step: '60',
  });
  const response = await fetch(`${proxy.url}/api/v1/query_range`, { method: 'POST', body });
  const answer = await response.json();
  expect({ status: response.status, error: answer.error }).toEqual({ status: 200, error: undefined });
  return answer.warnings ?? [];
}

describe('over-flagging warnings', () => {
  it('warns about a series that flags more than three times the contamination', async () => {
    const warnings = await warningsOf('shifted');
    expect(warnings).toEqual([
      expect.stringMatching(/instance="a".*flagged \d+ of 251 rows .* more than 3 times the contamination 0\.01/),
    ]);
  });

  it('says nothing about a series that behaves as in training', async () => {
    expect(await warningsOf('steady')).toEqual([]);
  });

  it('online: the same shift is one event, not a flood, so no warning', async () => {
    expect(await warningsOf('shifted', ', online=true')).toEqual([]);
  });
});
