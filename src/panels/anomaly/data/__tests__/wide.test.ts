import { type DataFrame, FieldType } from '@grafana/data';
import { buildModelInputs } from '../modelInputs';
import { START, STEP } from '../../testing/frames';

describe('wide frames (one time field, several number fields)', () => {
  const frame: DataFrame = {
    refId: 'A',
    length: 3,
    fields: [
      { name: 'host', type: FieldType.string, values: ['a', 'a', 'a'], config: {} },
      { name: 'ts', type: FieldType.time, values: [START, START + STEP, START + 2 * STEP], config: {} },
      { name: 'cpu', type: FieldType.number, values: [1, 2, 3], config: {} },
      { name: 'memory_free_mb', type: FieldType.number, values: [900, 800, 700], config: {} },
    ],
  };

  it('makes every number field a series, whatever the position of the time field, and skips strings', () => {
    const models = buildModelInputs([frame], { mode: 'per-series', groupByLabel: '' });
    expect(models.map((m) => m.table.columns[0].name)).toEqual(['cpu', 'memory_free_mb']);
    expect(models.map((m) => m.series[0].fieldIndex)).toEqual([2, 3]);
    expect(models[0].series[0].timeFieldIndex).toBe(1);
  });

  it('models the fields together in multivariate mode', () => {
    const [model] = buildModelInputs([frame], { mode: 'multivariate', groupByLabel: '' });
    expect(model.table.columns.map((c) => [c.name, Array.from(c.values)])).toEqual([
      ['cpu', [1, 2, 3]],
      ['memory_free_mb', [900, 800, 700]],
    ]);
  });

  it('ignores frames without a time field', () => {
    const table: DataFrame = { length: 1, fields: [{ name: 'x', type: FieldType.number, values: [1], config: {} }] };
    expect(buildModelInputs([table], { mode: 'per-series', groupByLabel: '' })).toEqual([]);
  });
});
