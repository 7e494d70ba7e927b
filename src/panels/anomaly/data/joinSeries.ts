import { type DataFrame, FieldType, outerJoinDataFrames } from '@grafana/data';
import type { SeriesTable } from '@telemetry-analyzer/engine';
import type { SeriesRef } from './seriesRefs';
import { sortedTable } from './seriesTable';

/**
 * Several series on one time axis (outer join: a time present in any series is a row; the others are NaN there,
 * and the engine reports such rows as missing instead of scoring them). Column i is `refs[i]`, named `names[i]`.
 */
export function joinSeries(frames: DataFrame[], refs: SeriesRef[], names = refs.map((r) => r.name)): SeriesTable {
  // One small frame per series, so the join sees exactly the chosen fields whatever else the frames hold.
  const parts: DataFrame[] = refs.map((ref) => {
    const frame = frames[ref.frameIndex];
    return {
      length: frame.length,
      fields: [frame.fields[ref.timeFieldIndex], frame.fields[ref.fieldIndex]],
    };
  });
  const joined = outerJoinDataFrames({ frames: parts, joinBy: (field) => field.type === FieldType.time });
  if (!joined) {
    return { timestamps: new Float64Array(0), columns: names.map((name) => ({ name, values: new Float64Array(0) })) };
  }
  const valueFields = joined.fields.slice(1);
  return sortedTable(
    joined.fields[0].values,
    valueFields.map((field, i) => ({ name: names[i], values: field.values }))
  );
}
