import {
  type DataFrame,
  DataFrameType,
  FieldColorModeId,
  FieldType,
  createTheme,
  getFieldSeriesColor,
} from '@grafana/data';
import { START, STEP } from '../../testing/frames';
import { splitLongFrames } from '../longFrames';
import { buildModelInputs } from '../modelInputs';
import { findNumberSeries } from '../seriesRefs';

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

describe('long frames (a time field, string fields naming the series, number fields)', () => {
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

  it('numbers the split series for the palette, as Grafana numbers a prepared frame: each its own colour', () => {
    const field = long.fields[2];
    // As applyFieldOverrides hands it over with the panel's default colour scheme (the classic palette).
    const prepared = {
      ...field,
      config: { color: { mode: FieldColorModeId.PaletteClassic } },
      state: { seriesIndex: 0 },
    };
    const withState = { ...long, fields: [long.fields[0], long.fields[1], prepared] };
    const theme = createTheme();
    const colours = splitLongFrames([withState]).map((frame) => getFieldSeriesColor(frame.fields[1], theme).color);
    expect(new Set(colours).size).toBe(2);
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

  it('a frame whose series never share a time is long too (no meta.type): host b 30 s after host a', () => {
    // The browser review's case: Time, host (a, b alternating), Value, no meta.type, no repeated time. Read as one
    // series it zigzags between the hosts.
    const staggered: DataFrame = {
      length: 6,
      fields: [
        {
          name: 'Time',
          type: FieldType.time,
          values: [0, 30, 60, 90, 120, 150].map((s) => START + s * 1000),
          config: {},
        },
        { name: 'host', type: FieldType.string, values: ['a', 'b', 'a', 'b', 'a', 'b'], config: {} },
        { name: 'Value', type: FieldType.number, values: [1, 100, 2, 200, 3, 300], config: {} },
      ],
    };
    const models = buildModelInputs(splitLongFrames([staggered]), { mode: 'per-series', groupByLabel: '' });
    expect(
      models.map((m) => [m.series[0].labels, Array.from(m.table.timestamps), Array.from(m.table.columns[0].values)])
    ).toEqual([
      [{ host: 'a' }, [START, START + 60_000, START + 120_000], [1, 2, 3]],
      [{ host: 'b' }, [START + 30_000, START + 90_000, START + 150_000], [100, 200, 300]],
    ]);
    expect(new Set(models.map((m) => m.label)).size).toBe(2);
  });

  it('several string fields: a series per distinct combination of their values, labelled with all of them', () => {
    const frame: DataFrame = {
      length: 4,
      fields: [
        { name: 'time', type: FieldType.time, values: [START, START + 1, START + 2, START + 3], config: {} },
        { name: 'host', type: FieldType.string, values: ['a', 'a', 'b', 'a'], config: {} },
        { name: 'dc', type: FieldType.string, values: ['x', 'y', 'x', 'x'], config: {} },
        { name: 'cpu', type: FieldType.number, values: [1, 2, 3, 4], config: {} },
        { name: 'mem', type: FieldType.number, values: [5, 6, 7, 8], config: {} },
      ],
    };
    const frames = splitLongFrames([frame]);
    const refs = findNumberSeries(frames);
    expect(
      refs.map((r) => [frames[r.frameIndex].fields[r.fieldIndex].name, r.labels, frames[r.frameIndex].length])
    ).toEqual([
      ['cpu', { host: 'a', dc: 'x' }, 2],
      ['mem', { host: 'a', dc: 'x' }, 2],
      ['cpu', { host: 'a', dc: 'y' }, 1],
      ['mem', { host: 'a', dc: 'y' }, 1],
      ['cpu', { host: 'b', dc: 'x' }, 1],
      ['mem', { host: 'b', dc: 'x' }, 1],
    ]);
    expect(new Set(refs.map((r) => r.name)).size).toBe(6);
  });

  it('a string field with one value still labels the series, so its identity does not depend on the range', () => {
    // The visible range may hold one host and the baseline two: both must name host a's series alike.
    const constant: DataFrame = {
      ...long,
      fields: [long.fields[0], { ...long.fields[1], values: new Array(6).fill('a') }, long.fields[2]],
    };
    const [one] = findNumberSeries(splitLongFrames([constant]));
    const [a] = findNumberSeries(splitLongFrames([long]));
    expect(one.labels).toEqual({ host: 'a' });
    expect(one.id).toBe(a.id);
  });

  it('leaves frames without a string field, a number field or a time field as they are', () => {
    const noString: DataFrame = { ...long, fields: [long.fields[0], long.fields[2]] };
    const noNumber: DataFrame = { ...long, fields: [long.fields[0], long.fields[1]] };
    const noTime: DataFrame = { ...long, fields: [long.fields[1], long.fields[2]] };
    const frames = [noString, noNumber, noTime];
    expect(splitLongFrames(frames)).toBe(frames);
  });
});
