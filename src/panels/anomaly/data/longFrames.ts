import { type DataFrame, DataFrameType, type Field, FieldType, type Labels, getTimeField } from '@grafana/data';
import { toMillis } from '../pipeline/seriesData';

/**
 * Long frames (one time field, string fields naming the series, number fields, a row per time and series: SQL data
 * sources, some InfluxDB and Elasticsearch queries) as one frame per series, its number fields labelled with the
 * series' string values, as Grafana's "Prepare time series" transformation (multi-frame) makes them. Read as they
 * are, the series' rows would be one series whose repeated times keep one value each. A frame is long when it says
 * so (meta.type timeseries-long) or repeats a time, and its string fields name more than one series; every other
 * frame is returned as it is (a wide frame with a constant string field keeps its identities).
 */
export function splitLongFrames(frames: DataFrame[]): DataFrame[] {
  const split = frames.map(splitIfLong);
  return split.every((parts, i) => parts.length === 1 && parts[0] === frames[i]) ? frames : split.flat();
}

function splitIfLong(frame: DataFrame): DataFrame[] {
  const { timeIndex } = getTimeField(frame);
  const keys = frame.fields.filter((f) => f.type === FieldType.string);
  if (timeIndex === undefined || keys.length === 0 || !frame.fields.some((f) => f.type === FieldType.number)) {
    return [frame];
  }
  const rowsBySeries = new Map<string, number[]>();
  for (let row = 0; row < frame.length; row++) {
    const key = JSON.stringify(keys.map((f) => f.values[row] ?? null));
    const rows = rowsBySeries.get(key);
    if (rows) {
      rows.push(row);
    } else {
      rowsBySeries.set(key, [row]);
    }
  }
  if (rowsBySeries.size < 2) {
    return [frame];
  }
  if (frame.meta?.type !== DataFrameType.TimeSeriesLong && !repeatsATime(frame.fields[timeIndex])) {
    return [frame];
  }
  return [...rowsBySeries.values()].map((rows) => {
    const labels: Labels = {};
    for (const key of keys) {
      labels[key.name] = String(key.values[rows[0]] ?? '');
    }
    return {
      ...frame,
      meta: frame.meta && { ...frame.meta, type: DataFrameType.TimeSeriesMulti },
      length: rows.length,
      fields: frame.fields
        .filter((f) => f.type !== FieldType.string)
        // `state` goes: it caches the display name of the field in the long frame.
        .map((f) => ({
          ...f,
          state: undefined,
          values: rows.map((row) => f.values[row]),
          labels: f.type === FieldType.number ? { ...f.labels, ...labels } : f.labels,
        })),
    };
  });
}

function repeatsATime(field: Field): boolean {
  const seen = new Set<number>();
  for (const value of field.values) {
    const ms = toMillis(value);
    if (seen.has(ms)) {
      return true;
    }
    seen.add(ms);
  }
  return false;
}
