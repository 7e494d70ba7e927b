/** The proxy says, in Prometheus' `warnings`, when a series flags far more than its contamination asks for. */
import type { RunningProxy } from '../src/server';
import { type ProxyOverFakes, startProxyOverFakes } from './support/proxyOverFakes';

const STEP = 60_000;
const T0 = 1_699_999_980_000;
const at = (i: number) => T0 + i * STEP;
const noise = (i: number) => ((i * 37) % 11) / 10;

let proxy: RunningProxy;
let stack: ProxyOverFakes;

beforeAll(async () => {
  stack = await startProxyOverFakes({
    // Calm during training, then at a level the model never saw: batch flags many rows after the shift.
    shifted: [
      {
        labels: { __name__: 'cpu', instance: 'a' },
        valueAt: (t) => 10 + noise((t - T0) / STEP) + (t >= at(400) ? 50 : 0),
      },
    ],
    steady: [{ labels: { __name__: 'cpu', instance: 'a' }, valueAt: (t) => 10 + noise((t - T0) / STEP) }],
  });
  proxy = stack.proxy;
});

afterAll(() => stack.close());

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
