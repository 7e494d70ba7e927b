import type { DataFrame } from '@grafana/data';
import type { SeriesTable } from '@telemetry-analyzer/engine';
import { toMillis, toNumber } from '../pipeline/seriesData';
import type { SeriesRef } from './seriesRefs';

/** One series as an engine table: ascending time, one column, null/undefined values as NaN. */
export function seriesToTable(frames: DataFrame[], ref: SeriesRef, columnName = ref.name): SeriesTable {
  const frame = frames[ref.frameIndex];
  const times = frame.fields[ref.timeFieldIndex].values;
  const values = frame.fields[ref.fieldIndex].values;
  return sortedTable(times, [{ name: columnName, values }]);
}

/**
 * Builds a table sorted by time. Streaming frames (CircularDataFrame with append 'head') hold the newest row first,
 * and repeated timestamps happen when a stream re-sends a point; the engine wants strictly increasing time, so rows
 * are sorted and a repeated timestamp keeps its last value. Rows without a valid timestamp are dropped.
 */
export function sortedTable(
  times: ArrayLike<unknown>,
  columns: Array<{ name: string; values: ArrayLike<unknown> }>
): SeriesTable {
  const order: number[] = [];
  for (let i = 0; i < times.length; i++) {
    if (Number.isFinite(toMillis(times[i]))) {
      order.push(i);
    }
  }
  // Among equal timestamps the newest row must come last, so that "keep last" below keeps it: that is the later row
  // in an oldest-first frame, the earlier row in a newest-first one.
  const newestFirst = order.length > 1 && toMillis(times[order[0]]) > toMillis(times[order[order.length - 1]]);
  order.sort((a, b) => toMillis(times[a]) - toMillis(times[b]) || (newestFirst ? b - a : a - b));
  const kept: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const next = order[k + 1];
    if (next === undefined || toMillis(times[next]) !== toMillis(times[order[k]])) {
      kept.push(order[k]);
    }
  }
  return {
    timestamps: Float64Array.from(kept, (i) => toMillis(times[i])),
    columns: columns.map((c) => ({ name: c.name, values: Float64Array.from(kept, (i) => toNumber(c.values[i])) })),
  };
}
