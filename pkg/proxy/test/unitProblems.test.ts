/**
 * A problem of one series fails that series, not the query: a value the engine refuses in the scored range (an
 * exporter's sentinel beyond float32) leaves the series out with a warning and the others are answered; a series
 * that did not change over its training range is answered with a warning that a change in it is never flagged.
 */
import type { RunningProxy } from '../src/server';
import { type ProxyOverFakes, startProxyOverFakes } from './support/proxyOverFakes';

const STEP = 60_000;
const T0 = 1_699_999_980_000;
const at = (i: number) => T0 + i * STEP;
const noise = (t: number) => (((t - T0) / STEP) * 37) % 11;

let proxy: RunningProxy;
let stack: ProxyOverFakes;

beforeAll(async () => {
  stack = await startProxyOverFakes({
    sentinel: [
      { labels: { __name__: 'cpu', instance: 'a' }, valueAt: (t) => (t === at(500) ? 1.797e308 : 10 + noise(t)) },
      { labels: { __name__: 'cpu', instance: 'b' }, valueAt: (t) => 10 + noise(t) },
    ],
    flat: [
      { labels: { __name__: 'errors', instance: 'a' }, valueAt: (t) => (t >= at(450) ? 5 : 0) },
      { labels: { __name__: 'errors', instance: 'b' }, valueAt: (t) => noise(t) },
    ],
  });
  proxy = stack.proxy;
});

afterAll(() => stack.close());

async function rangeQuery(query: string) {
  const body = new URLSearchParams({ query, start: String(at(400) / 1000), end: String(at(600) / 1000), step: '60' });
  const response = await fetch(`${proxy.url}/api/v1/query_range`, { method: 'POST', body });
  return { status: response.status, answer: await response.json() };
}

const TRAINING = `train_start=${at(0) / 1000}, train_end=${at(300) / 1000}, trees=30, seasonality=false`;

describe('one series with a problem', () => {
  it('a value beyond float32 in the scored range leaves that series out with a warning, the others answered', async () => {
    const { status, answer } = await rangeQuery(`anomaly_score(cpu, upstream="sentinel", ${TRAINING})`);
    expect({ status, error: answer.error }).toEqual({ status: 200, error: undefined });
    expect(answer.data.result.map((s: { metric: Record<string, string> }) => s.metric.instance)).toEqual(['b']);
    expect(answer.warnings).toEqual([
      expect.stringMatching(/^no scores for \{__name__="cpu", instance="a"\}: .*beyond the float32 range/),
    ]);
  });

  it('a series constant over its training range is answered, with a warning that a change in it is never flagged', async () => {
    const { status, answer } = await rangeQuery(`anomaly_flag(errors, upstream="flat", ${TRAINING})`);
    expect(status).toBe(200);
    expect(answer.data.result.map((s: { metric: Record<string, string> }) => s.metric.instance)).toEqual(['a', 'b']);
    expect(answer.warnings).toEqual([
      expect.stringMatching(
        /^1 of 2 models were trained on series that did not change over the training range \(e\.g\. \{__name__="errors", instance="a"\}\): a change in them is never flagged; online=true flags such changes$/
      ),
    ]);
    // What the warning says: the jump from 0 to 5 at row 450 is not flagged in batch mode; online mode flags it.
    const flags = (result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>) =>
      result
        .find((s) => s.metric.instance === 'a')!
        .values.filter(([, v]) => v === '1')
        .map(([t]) => t * 1000);
    expect(flags(answer.data.result)).toEqual([]);
    const online = await rangeQuery(`anomaly_flag(errors, upstream="flat", online=true, ${TRAINING})`);
    expect(flags(online.answer.data.result)).toContain(at(450));
    expect(online.answer.warnings ?? []).toEqual([]);
  });

  it('an instant query with a step over the 5-minute lookback answers its time (it was always empty)', async () => {
    const body = new URLSearchParams({
      query: `anomaly_score(cpu, upstream="sentinel", ${TRAINING}, step="10m")`,
      time: String(at(1200) / 1000),
    });
    const response = await fetch(`${proxy.url}/api/v1/query`, { method: 'POST', body });
    const answer = await response.json();
    expect(response.status).toBe(200);
    // Both series (the sentinel is long before), each at the instant's time.
    expect(answer.data.result.map((s: { value: [number, string] }) => s.value[0])).toEqual([
      at(1200) / 1000,
      at(1200) / 1000,
    ]);
  });
});
