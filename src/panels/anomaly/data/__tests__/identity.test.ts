import { type DataFrame, FieldType } from '@grafana/data';
import { buildModelInputs, buildTrainingTables } from '../modelInputs';
import { findNumberSeries } from '../seriesRefs';
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
});
