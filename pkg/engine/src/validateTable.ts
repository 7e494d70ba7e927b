import { EngineInputError } from './engineInputError';
import type { SeriesTable } from './types';

/** Largest float32 magnitude: the forest works on float32 (as sklearn), larger values would become Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * `x` held to ±FLOAT32_MAX, for a computed feature written to a float32 matrix: a difference of two values in range,
 * or a far outlier scaled by a tight column's deviation, would otherwise become ±Infinity, which the forest refuses.
 * Beyond every split threshold either way, so it is isolated as a value at the edge of the range would be.
 */
export function clampToFloat32(x: number): number {
  return x > FLOAT32_MAX ? FLOAT32_MAX : x < -FLOAT32_MAX ? -FLOAT32_MAX : x;
}

/**
 * Checks what every path (training, batch scoring, explain) relies on, naming the column and row at fault:
 * at least one column, all columns as long as the timestamps, unique column names, finite timestamps in strictly
 * increasing order (unsorted or duplicate timestamps are refused, not reordered), and no ±Infinity or values
 * beyond the float32 range. NaN is allowed: it marks a missing value.
 * @throws EngineInputError
 */
export function validateTable(table: SeriesTable): void {
  const { timestamps, columns } = table;
  if (columns.length === 0) {
    throw new EngineInputError('no-columns', 'the table has no metric column');
  }
  const seen = new Set<string>();
  for (const { name, values } of columns) {
    if (seen.has(name)) {
      throw new EngineInputError('duplicate-column', `the table has two columns named '${name}'`, name);
    }
    seen.add(name);
    if (values.length !== timestamps.length) {
      throw new EngineInputError(
        'length-mismatch',
        `column '${name}' has ${values.length} values but the table has ${timestamps.length} timestamps`,
        name
      );
    }
  }
  for (let row = 0; row < timestamps.length; row++) {
    if (!Number.isFinite(timestamps[row])) {
      throw new EngineInputError('not-finite', `the timestamp of row ${row} is ${timestamps[row]}`, undefined, row);
    }
    if (row > 0 && !(timestamps[row] > timestamps[row - 1])) {
      const problem = timestamps[row] === timestamps[row - 1] ? 'repeats' : 'is before';
      throw new EngineInputError(
        'unsorted',
        `the timestamp of row ${row} (${describeTime(timestamps[row])}) ${problem} that of row ${row - 1} ` +
          `(${describeTime(timestamps[row - 1])}): timestamps must be strictly increasing`,
        undefined,
        row
      );
    }
  }
  for (const { name, values } of columns) {
    for (let row = 0; row < values.length; row++) {
      const value = values[row];
      if (value === Infinity || value === -Infinity) {
        throw new EngineInputError(
          'not-finite',
          `column '${name}' is ${value} at row ${row} (${describeTime(timestamps[row])}); use NaN for a missing value`,
          name,
          row
        );
      }
      if (Math.abs(value) > FLOAT32_MAX) {
        throw new EngineInputError(
          'out-of-range',
          `column '${name}' is ${value} at row ${row} (${describeTime(timestamps[row])}), beyond the float32 range ` +
            `(±${FLOAT32_MAX.toPrecision(5)}) the forest works in`,
          name,
          row
        );
      }
    }
  }
}

/** ISO 8601 UTC when the timestamp is a representable date, else the raw milliseconds. */
export function describeTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}
