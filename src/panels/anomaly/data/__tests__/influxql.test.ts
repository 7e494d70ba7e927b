import { type DataFrame, FieldType } from '@grafana/data';
import { buildModelInputs, buildTrainingTables } from '../modelInputs';
import { START, STEP } from '../../testing/frames';

/** InfluxQL: one frame per series and tag set, named "measurement.field", tags as labels. */
function influxqlFrame(host: string, values: number[], start = START): DataFrame {
  return {
    name: 'cpu.mean_usage_idle',
    refId: 'A',
    length: values.length,
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => start + i * STEP), config: {} },
      { name: 'Value', type: FieldType.number, values, labels: { host }, config: {} },
    ],
  };
}

describe('InfluxQL frames (one frame per series)', () => {
  const frames = [influxqlFrame('web-1', [90, 91, 92]), influxqlFrame('web-2', [80, 81, 82])];

  it('finds each series by field type and keeps host apart in the names', () => {
    const models = buildModelInputs(frames, { mode: 'per-series', groupByLabel: '' });
    expect(models.map((m) => m.series[0].labels.host)).toEqual(['web-1', 'web-2']);
    expect(models[0].table.columns[0].name).toContain('web-1');
    expect(Array.from(models[1].table.columns[0].values)).toEqual([80, 81, 82]);
  });

  it('matches a baseline query to the visible series by identity and names the columns alike', () => {
    const models = buildModelInputs(frames, { mode: 'per-series', groupByLabel: '' });
    // The baseline lacks web-1 and is earlier: display names computed on it alone would differ.
    const baseline = [influxqlFrame('web-2', [70, 71, 72, 73], START - 10 * STEP)];
    const training = buildTrainingTables(baseline, models);
    expect(training[0]).toBeUndefined();
    expect(training[1]!.columns[0].name).toBe(models[1].table.columns[0].name);
    expect(Array.from(training[1]!.columns[0].values)).toEqual([70, 71, 72, 73]);
  });
});
