/**
 * A limit or option refusal about a value written in the anomaly query names its position there, as the grammar's
 * errors and trees=1001 do (an attack review: train="100y" and step="1ms" named none); one about a request parameter
 * or a config default names that instead.
 */
import { type FakeSeries } from './support/fakeUpstreams';
import { type ProxyOverFakes, startProxyOverFakes } from './support/proxyOverFakes';

const STEP = 60_000;
const T0 = 1_699_999_980_000;
const SERIES: FakeSeries[] = [{ labels: { __name__: 'cpu', instance: 'a' }, valueAt: () => 1 }];
const START = (T0 + 400 * STEP) / 1000;
const range = { start: String(START), end: String(START + 3600), step: '60' };

let running: ProxyOverFakes;

beforeAll(async () => {
  running = await startProxyOverFakes({ prom: SERIES });
});

afterAll(() => running.close());

async function refusal(path: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(`${running.proxy.url}${path}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as { errorType: string; error: string };
  expect([response.status, body.errorType]).toEqual([400, 'bad_data']);
  return body.error;
}

/** The position (1-based) of the value of `option` (`name=value`, as written) in `query`. */
function valueAt(query: string, option: string): number {
  const at = query.indexOf(option);
  expect(at).toBeGreaterThan(0);
  return at + option.indexOf('=') + 2;
}

describe('a refusal about an option value points at it in the query', () => {
  const online = `online=true, train_start=${START - 86_400}`;
  // [what, options of anomaly_flag(cpu, ...), the option pointed at, the message's start, the request's parameters]
  const table: Array<[string, string, string, string, Record<string, string>?]> = [
    [
      'training points over the limit',
      'train="100y"',
      'train="100y"',
      'training range 36500d at step 1m (the "step" parameter) is',
    ],
    [
      'too few training points',
      'train="1ms"',
      'train="1ms"',
      'training range 1ms at step 1m (the "step" parameter) is 1 points',
    ],
    [
      'too few at a long window',
      'window=1440, train="1h"',
      'train="1h"',
      'training range 1h at step 1m (the "step" parameter) is 61',
    ],
    ['too few at the step= option', 'window=10, step="1d"', 'step="1d"', 'training range 1d at step 1d is 2 points'],
    ['too few at a window over the default', 'window=1440', 'window=1440', 'training range 1d at step 1m'],
    [
      'a fixed range too long',
      'train_start=0, train_end=1000000000',
      'train_start=0',
      'training range 11574d1h46m40s at step 1m',
    ],
    [
      'a fixed range too short',
      'train_start=0, train_end=1',
      'train_start=0',
      'training range 1s at step 1m (the "step" parameter) is 1',
    ],
    ['points at the step= option', 'step="1ms"', 'step="1ms"', 'the step= option (1ms) gives 3600001 points'],
    [
      'points of an instant query at the step= option',
      'step="1ms"',
      'step="1ms"',
      'an instant query scores the last 5 minutes at step 1ms: 300001 points',
      { time: String(START) },
    ],
    [
      'a warm-up beyond any time',
      'step="100000d", window=1440',
      'step="100000d"',
      'the scored range with its warm-up reaches beyond',
    ],
    [
      'online scoring after a train_end past the range',
      `${online}, train_end=${START + 7200}`,
      `train_end=${START + 7200}`,
      'online=true scores the points after train_end',
    ],
    [
      'a training range beyond any time',
      'train_start="-1e13", train_end=0',
      'train_start="-1e13"',
      'the training range reaches beyond the times the proxy supports',
    ],
    ['an option over the limit', 'trees=1001', 'trees=1001', 'trees=1001 is more than limits.maxTrees allows'],
  ];

  it.each(table)('%s', async (_what, options, pointed, message, params = range) => {
    const query = `anomaly_flag(cpu, ${options})`;
    const path = 'time' in params ? '/api/v1/query' : '/api/v1/query_range';
    const error = await refusal(path, { ...params, query });
    expect(error).toMatch(new RegExp(`^parse error at char ${valueAt(query, pointed)}: `));
    expect(error.slice(error.indexOf(': ') + 2)).toMatch(new RegExp(`^${escape(message)}`));
  });
});

describe('a refusal about a request parameter names it, and no position', () => {
  it.each([
    [
      "too many points at the request's step",
      { ...range, step: '0.1' },
      'exceeded maximum resolution of 11000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    ],
    [
      "too many training points at the request's step",
      { ...range, step: '0.5' },
      'training range 1d at step 500ms (the "step" parameter) is 172801 points per series; at most 100000',
    ],
    [
      "too few training points at the request's step",
      { ...range, step: '21600' },
      'training range 1d at step 6h (the "step" parameter) is 5 points per series; these options train on at least',
    ],
  ])('%s', async (_what, params, message) => {
    const error = await refusal('/api/v1/query_range', { ...params, query: 'anomaly_flag(cpu)' });
    expect(error).toMatch(new RegExp(`^${escape(message)}`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
