import { EngineInputError } from './engineInputError';
import type { SeriesTable } from './types';

/** Largest float32 magnitude: the forest works on float32 (as sklearn), larger values would become Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/**
 * Smallest normal float32 magnitude: smaller values other than 0 lose their precision in the float32 features, and
 * below ~1e-45 become 0 (a series at 1e-300 was analysed as all zeros: no anomalies, no word).
 */
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/** Where a finite value stands against the float32 range the forest works in (0 is in it); undefined: in it. */
export function float32RangeProblem(value: number): string | undefined {
  const magnitude = Math.abs(value);
  if (magnitude > FLOAT32_MAX) {
    return `beyond the float32 range (±${FLOAT32_MAX.toPrecision(5)}) the forest works in`;
  }
  if (magnitude > 0 && magnitude < FLOAT32_MIN_NORMAL) {
    return (
      `below the float32 range (smallest ${FLOAT32_MIN_NORMAL.toPrecision(5)} but 0) the forest works in, where ` +
      'it would read as 0: write 0 for it, or scale the series if all of it is this small'
    );
  }
  return undefined;
}

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
      const problem = float32RangeProblem(value);
      if (problem !== undefined) {
        throw new EngineInputError(
          'out-of-range',
          `column '${name}' is ${value} at row ${row} (${describeTime(timestamps[row])}), ${problem}`,
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
