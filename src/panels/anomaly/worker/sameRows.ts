import type { SeriesTable } from '@telemetry-analyzer/engine';

/**
 * Whether two tables hold the same rows: same timestamps and the same columns (names, order, values; NaN equals NaN).
 * When a model trains on the rows it scores (the panel's visible-range training), the job can train and score in one
 * pass. The panel sends two copies of the table (each is transferred), so identity alone would not tell; comparing
 * costs a few microseconds per thousand rows, against milliseconds for building features and scoring them again.
 */
export function sameRows(a: SeriesTable, b: SeriesTable): boolean {
  if (a === b) {
    return true;
  }
  if (a.columns.length !== b.columns.length || !sameValues(a.timestamps, b.timestamps)) {
    return false;
  }
  return a.columns.every(
    (column, c) => column.name === b.columns[c].name && sameValues(column.values, b.columns[c].values)
  );
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a === b) {
    return true;
  }
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (!sameNumber(a[i], b[i])) {
      return false;
    }
  }
  return true;
}

/** Equal, or both NaN (a missing value in both tables). */
export function sameNumber(x: number, y: number): boolean {
  return x === y || (Number.isNaN(x) && Number.isNaN(y));
}
