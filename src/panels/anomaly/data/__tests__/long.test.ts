import { type DataFrame, DataFrameType, FieldType } from '@grafana/data';
import { START, STEP } from '../../testing/frames';
import { splitLongFrames } from '../longFrames';
import { buildModelInputs } from '../modelInputs';

/** A SQL-style long frame: a row per time and host. */
const long: DataFrame = {
  refId: 'A',
  length: 6,
  fields: [
    {
      name: 'time',
      type: FieldType.time,
      values: [START, START, START + STEP, START + STEP, START + 2 * STEP, START + 2 * STEP],
      config: {},
    },
    { name: 'host', type: FieldType.string, values: ['a', 'b', 'a', 'b', 'a', 'b'], config: {} },
    { name: 'cpu', type: FieldType.number, values: [1, 10, 2, 20, 3, 30], config: {} },
  ],
};

describe('long frames (a string field names the series, times repeat)', () => {
  it('become a series per value of the string field, labelled with it, each with its own values', () => {
    const frames = splitLongFrames([long]);
    const models = buildModelInputs(frames, { mode: 'per-series', groupByLabel: '' });
    expect(
      models.map((m) => [m.series[0].labels, Array.from(m.table.timestamps), Array.from(m.table.columns[0].values)])
    ).toEqual([
      [{ host: 'a' }, [START, START + STEP, START + 2 * STEP], [1, 2, 3]],
      [{ host: 'b' }, [START, START + STEP, START + 2 * STEP], [10, 20, 30]],
    ]);
    expect(new Set(models.map((m) => m.label)).size).toBe(2);
    // Grouping by the string field, as by a Prometheus label.
    const grouped = buildModelInputs(frames, { mode: 'multivariate', groupByLabel: 'host' });
    expect(grouped.map((m) => m.label)).toEqual(['host=a', 'host=b']);
  });

  it('a frame marked timeseries-long is split even when its series never share a time', () => {
    const staggered: DataFrame = {
      ...long,
      meta: { type: DataFrameType.TimeSeriesLong },
      fields: [
        { ...long.fields[0], values: long.fields[0].values.map((t: number, i: number) => t + i) },
        ...long.fields.slice(1),
      ],
    };
    expect(splitLongFrames([staggered])).toHaveLength(2);
  });

  it('leaves other frames as they are: wide frames, a constant string field, no string field', () => {
    const constant: DataFrame = {
      ...long,
      fields: [long.fields[0], { ...long.fields[1], values: new Array(6).fill('a') }, long.fields[2]],
    };
    const wide: DataFrame = {
      ...long,
      length: 3,
      fields: [
        { ...long.fields[0], values: [START, START + STEP, START + 2 * STEP] },
        { ...long.fields[1], values: ['up', 'down', 'up'] },
        { ...long.fields[2], values: [1, 2, 3] },
      ],
    };
    const frames = [constant, wide];
    expect(splitLongFrames(frames)).toBe(frames);
  });
});
