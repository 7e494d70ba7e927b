import { type DataFrame, FieldType } from '@grafana/data';
import { buildModelInputs, buildTrainingTables } from '../modelInputs';
import { findNumberSeries, uniqueNames } from '../seriesRefs';
import { prometheusFrame, times } from '../../testing/frames';

/** A frame as some data sources and transformations give it: no refId, an unlabelled "Value". */
function unlabelled(values: number[]): DataFrame {
  return {
    length: values.length,
    fields: [
      { name: 'Time', type: FieldType.time, values: times(values.length), config: {} },
      { name: 'Value', type: FieldType.number, values, config: {} },
    ],
  };
}

describe('series identities', () => {
  it('two series that would have the same identity stay two series, each with its own values', () => {
    const frames = [unlabelled([1, 2, 3]), unlabelled([7, 8, 9])];
    const refs = findNumberSeries(frames);
    expect(new Set(refs.map((r) => r.id)).size).toBe(2);
    const models = buildModelInputs(frames, { mode: 'per-series', groupByLabel: '' });
    expect(new Set(models.map((m) => m.key)).size).toBe(2);
    expect(models.map((m) => [m.label, Array.from(m.table.columns[0].values)])).toEqual([
      ['Value', [1, 2, 3]],
      ['Value (2)', [7, 8, 9]],
    ]);
    const [multivariate] = buildModelInputs(frames, { mode: 'multivariate', groupByLabel: '' });
    expect(multivariate.table.columns.map((c) => Array.from(c.values))).toEqual([
      [1, 2, 3],
      [7, 8, 9],
    ]);
  });

  it("a baseline's colliding series are matched to the visible ones in the same order", () => {
    const models = buildModelInputs([unlabelled([1, 2, 3]), unlabelled([7, 8, 9])], {
      mode: 'per-series',
      groupByLabel: '',
    });
    const tables = buildTrainingTables([unlabelled([10, 11, 12]), unlabelled([70, 80, 90])], models);
    expect(tables.map((t) => Array.from(t!.columns[0].values))).toEqual([
      [10, 11, 12],
      [70, 80, 90],
    ]);
  });

  it('identities without a collision are as before (saved options and cached models refer to them)', () => {
    const refs = findNumberSeries([
      prometheusFrame([1, 2], { __name__: 'cpu', host: 'a' }),
      prometheusFrame([1, 2], { __name__: 'cpu', host: 'b' }, 'B'),
    ]);
    expect(refs.map((r) => r.id)).toEqual(['A//Value{__name__="cpu",host="a"}', 'B//Value{__name__="cpu",host="b"}']);
  });

  it('a generated name never takes a name another series already has: x, x, x (2) become x, x (3), x (2)', () => {
    const named = (displayName: string): DataFrame => {
      const frame = unlabelled([1, 2, 3]);
      frame.fields[1].config = { displayName };
      return frame;
    };
    const frames = [named('x'), named('x'), named('x (2)')];
    expect(findNumberSeries(frames).map((r) => r.name)).toEqual(['x', 'x (3)', 'x (2)']);
    const perSeries = buildModelInputs(frames, { mode: 'per-series', groupByLabel: '' });
    expect(perSeries.map((m) => m.label)).toEqual(['x', 'x (3)', 'x (2)']);
    const [multivariate] = buildModelInputs(frames, { mode: 'multivariate', groupByLabel: '' });
    expect(multivariate.table.columns.map((c) => c.name)).toEqual(['x', 'x (3)', 'x (2)']);
  });

  it('uniqueNames: unique names stay, repeats get the lowest free " (n)" among all names, given and generated', () => {
    expect(uniqueNames(['a', 'b'])).toEqual(['a', 'b']);
    expect(uniqueNames(['x', 'x', 'x'])).toEqual(['x', 'x (2)', 'x (3)']);
    expect(uniqueNames(['x (2)', 'x', 'x'])).toEqual(['x (2)', 'x', 'x (3)']);
    expect(uniqueNames(['x', 'x', 'x (2)', 'x (2)', 'x (3)'])).toEqual(['x', 'x (4)', 'x (2)', 'x (2) (2)', 'x (3)']);
    const names = ['v', 'v', 'v (2)', 'v (2)', 'v (2) (2)', 'v', 'v (3)'];
    expect(new Set(uniqueNames(names)).size).toBe(names.length);
  });
});
