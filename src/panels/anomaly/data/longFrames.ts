import { type DataFrame, DataFrameType, FieldType, type Labels, getTimeField } from '@grafana/data';

/**
 * Long frames (one time field, string fields naming the series, number fields, a row per time and series: SQL data
 * sources, some InfluxDB and Elasticsearch queries) as one frame per series, its number fields labelled with the
 * series' string values. Read as they are, the series' rows would be one series zigzagging between them.
 *
 * Which frames are long follows Grafana's "Prepare time series" transformation, multi-frame format
 * (grafana/grafana public/app/features/transformers/prepareTimeSeries/prepareTimeSeries.ts: `toTimeSeriesMulti`, and
 * `longToMultiTimeSeries`, which partitions by all string fields with partitionByValues.ts): every frame with a time
 * field, at least one string field and a number field, whatever its meta.type and whether or not a time repeats
 * (series reporting at different instants never repeat one). It becomes one frame per distinct combination of its
 * string fields' values, in order of first appearance, labelled `{field name: value}`; a string field with one value
 * gives one series labelled with it, so a series' identity is the same whether the range holds one of the series or
 * several (the visible range and a baseline query can differ there). Every other frame is returned as it is.
 */
export function splitLongFrames(frames: DataFrame[]): DataFrame[] {
  const split = frames.map(splitIfLong);
  return split.every((parts, i) => parts.length === 1 && parts[0] === frames[i]) ? frames : numbered(split.flat());
}

/**
 * The frames with their number fields numbered in order (`state.seriesIndex`, which the classic palette colours by),
 * as Grafana numbers the series of a prepared frame: split off one long frame, every series had its field's index,
 * and all of them one colour.
 */
function numbered(frames: DataFrame[]): DataFrame[] {
  let seriesIndex = 0;
  return frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map((field) =>
      field.type === FieldType.number ? { ...field, state: { ...field.state, seriesIndex: seriesIndex++ } } : field
    ),
  }));
}

/** Whether a frame is long (times, string keys and numbers, rows of several series possibly): split by its keys. */
export function isLongFrame(frame: DataFrame): boolean {
  return (
    getTimeField(frame).timeIndex !== undefined &&
    frame.length > 0 &&
    frame.fields.some((f) => f.type === FieldType.string) &&
    frame.fields.some((f) => f.type === FieldType.number)
  );
}

function splitIfLong(frame: DataFrame): DataFrame[] {
  if (!isLongFrame(frame)) {
    return [frame];
  }
  const keys = frame.fields.filter((f) => f.type === FieldType.string);
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
  // One series: its rows are the frame's, so the value arrays are kept (no copy of a long wide frame).
  const single = rowsBySeries.size === 1;
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
          values: single ? f.values : rows.map((row) => f.values[row]),
          labels: f.type === FieldType.number ? { ...f.labels, ...labels } : f.labels,
        })),
    };
  });
}
