import { seriesSelectors } from '../src/inputNewest';

describe('seriesSelectors: the selectors whose newest sample ends a run', () => {
  it.each([
    ['cpu_usage_percent', ['cpu_usage_percent']],
    ['sum by (host) (rate(http_requests_total{code=~"5.."}[5m]))', ['http_requests_total{code=~"5.."}']],
    ['a / on (h) group_left (z) b offset 1h', ['a', 'b']],
    [
      '100 - avg without (cpu) (irate({__name__="node_cpu_seconds_total", mode="idle"}[5m])) * 100',
      ['{__name__="node_cpu_seconds_total", mode="idle"}'],
    ],
    ['count offset 1m', ['count']],
    ['x @ start()', ['x']],
    ['1+1', []],
    ['vector(time())', []],
  ])('%s', (expression, selectors) => {
    expect(seriesSelectors(expression)).toEqual(selectors);
  });
});
