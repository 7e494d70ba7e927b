import { type DataFrame, FieldType } from '@grafana/data';
import { buildModelInputs } from '../modelInputs';
import { START, STEP } from '../../testing/frames';

/** Flux: the time field is "_time" and the value field is named after _field, with the tags as labels. */
function fluxFrame(field: string, values: number[]): DataFrame {
  return {
    refId: 'A',
    length: values.length,
    fields: [
      { name: '_time', type: FieldType.time, values: values.map((_, i) => START + i * STEP), config: {} },
      { name: field, type: FieldType.number, values, labels: { _measurement: 'mem', host: 'db-1' }, config: {} },
    ],
  };
}

describe('Flux frames (value field named after _field)', () => {
  it('uses the field types, not the names "Time"/"Value"', () => {
    const frames = [fluxFrame('used_percent', [40, 41, 42]), fluxFrame('available', [7, 6, 5])];
    const models = buildModelInputs(frames, { mode: 'multivariate', groupByLabel: 'host' });
    expect(models).toHaveLength(1);
    expect(models[0].label).toBe('host=db-1');
    expect(models[0].table.columns.map((c) => c.name).join(' ')).toMatch(/used_percent.*available/);
    expect(Array.from(models[0].table.timestamps)).toEqual([START, START + STEP, START + 2 * STEP]);
    expect(models[0].table.columns.map((c) => Array.from(c.values))).toEqual([
      [40, 41, 42],
      [7, 6, 5],
    ]);
  });
});
