import { DEFAULT_LIMITS } from '../src/config';
import { checkFeatureValues } from '../src/query/costLimits';
import { buildTable, buildUnits, firstCompleteTime, unitRowCount } from '../src/query/seriesTables';
import type { Series } from '../src/upstreams/series';

const cpu: Series = {
  labels: { __name__: 'cpu', host: 'a' },
  timestamps: [1000, 2000, 3000, 4000],
  values: [1, Infinity, 3, -Infinity],
};

describe('buildTable', () => {
  it('copies a single series into the table, ±Inf as NaN (missing)', () => {
    const [unit] = buildUnits([cpu], 'per-series', []);
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
    const [unit] = buildUnits([series], 'per-series', []);
    const table = buildTable(unit);
    expect(Array.from(table.timestamps)).toEqual([1000, 2000, 3000]);
    expect(Array.from(table.columns[0].values)).toEqual([1, 5, 3]);
  });

  it("joins a multivariate group's series as the panel does: on their step grid, a one-step gap filled", () => {
    // A review (2026-12-06): the panel filled one missed scrape with the previous value and the proxy left the row
    // out, so every later score of the group differed. Both now use the engine's alignOnStep.
    const origin = 1_700_000_017_000; // the grid the rows were fetched on, 17 s past a minute
    const at = (minutes: number[]) => minutes.map((m) => origin + m * 60_000);
    const minutes = Array.from({ length: 12 }, (_, m) => m);
    const a: Series = { labels: { __name__: 'a', host: 'h' }, timestamps: at(minutes), values: minutes };
    // Mostly every minute, so the group's step stays a minute (the coarsest series' median step).
    const bMinutes = [0, 2, 3, 4, 7, 8, 9, 10, 11];
    const b: Series = { labels: { __name__: 'b', host: 'h' }, timestamps: at(bMinutes), values: bMinutes };
    const [unit] = buildUnits([a, b], 'multivariate', ['host']);
    const table = buildTable(unit, undefined, 60_000);
    expect(Array.from(table.timestamps)).toEqual(at(minutes));
    // b's minute 1 (one step) takes its previous value; minutes 5-6 (two steps) stay missing.
    expect(table.columns.map((c) => [c.name, Array.from(c.values)])).toEqual([
      ['{__name__="a"}', minutes],
      ['{__name__="b"}', [0, 0, 2, 3, 4, NaN, NaN, 7, 8, 9, 10, 11]],
    ]);
    expect(unitRowCount(unit, 60_000)).toBe(12);
  });

  it('puts the series of a multivariate group on the union of their timestamps without a step', () => {
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

describe('the feature values a unit would need (limits.maxFeatureValuesPerModel)', () => {
  const limits = { ...DEFAULT_LIMITS, maxFeatureValuesPerModel: 1_000 };
  const seriesAt = (host: string, timestamps: number[]): Series => ({
    labels: { __name__: 'cpu', host },
    timestamps,
    values: timestamps.map(() => 1),
  });

  it('counts a group by the union of its timestamps, as buildTable lays it out', () => {
    const [unit] = buildUnits([seriesAt('a', [1, 2, 3]), seriesAt('b', [2, 3, 4, 5])], 'multivariate', []);
    expect(unitRowCount(unit)).toBe(buildTable(unit).timestamps.length);
    expect(unitRowCount(unit)).toBe(5);
  });

  it('refuses a group whose rows x (series x (lags + 6) + 4) is over the limit, naming it; accepts its series alone', () => {
    // 20 rows, off each other's steps: 40 rows together. 2 series at lags=1: 2 x 7 + 4 = 18 columns.
    const a = seriesAt(
      'a',
      Array.from({ length: 20 }, (_, i) => 2 * i)
    );
    const b = seriesAt(
      'b',
      Array.from({ length: 20 }, (_, i) => 2 * i + 1)
    );
    const group = buildUnits([a, b], 'multivariate', []);
    expect(() => checkFeatureValues(group, { lags: 1 }, limits)).not.toThrow(); // 40 x 18 = 720
    expect(() => checkFeatureValues(group, { lags: 10 }, limits)).toThrow(
      /^the model of \{\} would learn from 40 rows x 36 feature columns \(2 series\) = 1440 values, at most 1000 \(limits\.maxFeatureValuesPerModel\)/
    );
    expect(() => checkFeatureValues(buildUnits([a, b], 'per-series', []), { lags: 10 }, limits)).not.toThrow();
    // The training rows a fetch is about to bring count when they are more than the unit's own.
    expect(() => checkFeatureValues(group, { lags: 1 }, limits, 100)).toThrow(/100 rows x 18 feature columns/);
  });
});

describe('firstCompleteTime', () => {
  it('is the first row where every column has a value: a young metric in an older group starts the history', () => {
    const timestamps = Float64Array.from([1, 2, 3, 4]);
    const old = Float64Array.from([5, 5, 5, 5]);
    const young = Float64Array.from([NaN, NaN, 7, 7]);
    expect(firstCompleteTime({ timestamps, columns: [{ name: 'old', values: old }] })).toBe(1);
    const group = {
      timestamps,
      columns: [
        { name: 'old', values: old },
        { name: 'young', values: young },
      ],
    };
    expect(firstCompleteTime(group)).toBe(3);
    expect(firstCompleteTime({ timestamps, columns: [{ name: 'none', values: new Float64Array(4).fill(NaN) }] })).toBe(
      undefined
    );
  });
});

describe('buildUnits', () => {
  it("groups by the series' own labels: a name every object inherits (constructor, toString) is a missing label", () => {
    const at = { timestamps: [1000, 2000], values: [1, 2] };
    const a: Series = { labels: { __name__: 'cpu', host: 'a' }, ...at };
    const b: Series = { labels: { __name__: 'cpu', host: 'b', constructor: 'x' }, ...at };
    const units = buildUnits([a, b], 'multivariate', ['constructor', 'toString']);
    expect(units.map((unit) => unit.labels)).toEqual([
      { constructor: '', toString: '' },
      { constructor: 'x', toString: '' },
    ]);
  });
});
