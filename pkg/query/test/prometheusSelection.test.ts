import { exactSelectors, isPlainSelector } from '../src/upstreams/prometheusSelection';

describe('isPlainSelector', () => {
  it.each([
    'cpu_usage_percent',
    'cpu_usage_percent{job="telemetry"}',
    '  {__name__=~"cpu_.*", host!="h1"}  ',
    'cpu{path="a}b", q=\'{\'}',
    'node:cpu:rate5m{x=`}`}',
  ])('narrows %s', (expression) => {
    expect(isPlainSelector(expression)).toBe(true);
  });

  it.each([
    'rate(cpu[5m])',
    'cpu[5m]',
    'cpu offset 1h',
    'cpu @ 1700000000',
    'cpu{job="a"} + 1',
    'sum by (host) (cpu)',
    'cpu{job="a"} or mem',
    '{a="1"}{b="2"}',
    'NaN',
    'Inf',
    '1',
    '',
    'cpu{job="a"',
  ])('reads %s whole', (expression) => {
    expect(isPlainSelector(expression)).toBe(false);
  });
});

describe('exactSelectors', () => {
  it('groups by every label but the one that leaves the fewest groups, its values in one regex', () => {
    const wanted = ['h1', 'h3', 'h4'].flatMap((host) =>
      ['cpu', 'mem'].map((name) => ({ __name__: name, host, job: 'telemetry' }))
    );
    expect(exactSelectors(wanted)).toEqual([
      '{__name__="cpu", job="telemetry", host=~"h1|h3|h4"}',
      '{__name__="mem", job="telemetry", host=~"h1|h3|h4"}',
    ]);
  });

  it('escapes regex characters, matches an absent label with "", and names a single value exactly', () => {
    expect(exactSelectors([{ __name__: 'up', path: '/a.b' }, { __name__: 'up' }])).toEqual([
      '{__name__="up", path=~"|/a\\\\.b"}',
    ]);
    expect(exactSelectors([{ __name__: 'up', path: 'x|y(z)' }])).toEqual(['{path="x|y(z)", __name__="up"}']);
    expect(exactSelectors([])).toEqual([]);
  });

  it('splits a long value list into several selectors', () => {
    const wanted = Array.from({ length: 1200 }, (_, i) => ({ __name__: 'cpu', host: `h${i}` }));
    const selectors = exactSelectors(wanted);
    expect(selectors).toHaveLength(3);
    const values = selectors.flatMap((s) => /host=~"([^"]*)"/.exec(s)![1].split('|'));
    expect(new Set(values)).toEqual(new Set(wanted.map((w) => w.host)));
  });
});
