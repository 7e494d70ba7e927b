import { buildTable, buildUnits } from '../src/query/seriesTables';
import type { Series } from '../src/upstreams/series';

const cpu: Series = {
  labels: { __name__: 'cpu', host: 'a' },
  timestamps: [1000, 2000, 3000, 4000],
  values: [1, Infinity, 3, -Infinity],
};

describe('buildTable', () => {
  it('copies a single series into the table, ±Inf as NaN (missing)', () => {
    const [unit] = buildUnits([cpu], 'univariate', []);
    const table = buildTable(unit);
    expect(Array.from(table.timestamps)).toEqual([1000, 2000, 3000, 4000]);
    expect(table.columns.map((c) => c.name)).toEqual(['cpu']);
    expect(Array.from(table.columns[0].values)).toEqual([1, NaN, 3, NaN]);
  });

  it("fills a model's columns that the unit lacks with NaN", () => {
    const [unit] = buildUnits([cpu], 'multivariate', ['host']);
    const table = buildTable(unit, ['{__name__="cpu"}', '{__name__="memory"}']);
    expect(Array.from(table.columns[1].values)).toEqual([NaN, NaN, NaN, NaN]);
  });

  it('sorts and merges a single series whose timestamps are out of order or repeated', () => {
    const series: Series = { labels: { __name__: 'cpu' }, timestamps: [3000, 1000, 2000, 2000], values: [3, 1, 2, 5] };
    const [unit] = buildUnits([series], 'univariate', []);
    const table = buildTable(unit);
    expect(Array.from(table.timestamps)).toEqual([1000, 2000, 3000]);
    expect(Array.from(table.columns[0].values)).toEqual([1, 5, 3]);
  });

  it('puts the series of a multivariate group on the union of their timestamps', () => {
    const memory: Series = { labels: { __name__: 'memory', host: 'a' }, timestamps: [2000, 5000], values: [20, 50] };
    const [unit] = buildUnits([cpu, memory], 'multivariate', ['host']);
    const table = buildTable(unit);
    expect(Array.from(table.timestamps)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(table.columns.map((c) => [c.name, Array.from(c.values)])).toEqual([
      ['{__name__="cpu"}', [1, NaN, 3, NaN, NaN]],
      ['{__name__="memory"}', [NaN, 20, NaN, NaN, 50]],
    ]);
  });
});
