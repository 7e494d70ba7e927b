import { type SeriesTable, lowerBound } from '@telemetry-analyzer/engine';
import { sameNumber } from './sameRows';

/**
 * Rows at the end of the previous table whose values a new answer may revise without the data being other data:
 * the last steps of a range query are often partial (a rate over a window still filling, an InfluxDB bucket still
 * collecting, samples remote-written late) and are answered again with more samples at the next refresh. At least
 * REVISABLE_TAIL_ROWS, and REVISABLE_TAIL_SHARE of the table.
 */
export const REVISABLE_TAIL_ROWS = 2;
export const REVISABLE_TAIL_SHARE = 0.05;

/** Common rows that must differ, at least, for the data to count as replaced (and at least a quarter of them). */
export const MIN_DIFFERING_ROWS = 3;

/** Fewer common rows than this tell nothing (a range moved far on, another step). */
export const MIN_COMMON_ROWS = 12;

/** Rows of the previous table compared, at most: enough to tell a quarter that differ. */
export const MAX_COMPARED_ROWS = 512;

/**
 * Whether `next` holds other data than `previous` for the same series: among the rows of both tables at the same
 * timestamps (but the previous table's revisable tail), at least a quarter, and MIN_DIFFERING_ROWS, have other values
 * (NaN equals NaN), when at least MIN_COMMON_ROWS are shared (of up to MAX_COMPARED_ROWS rows sampled evenly). A refresh moving the range on shares its rows unchanged; a dashboard variable that switched the
 * host in a query that does not group by it, or an edited query, keeps the series' identity and range but not
 * their values, and a model trained on the old values must not score the new ones (a review: 223 of 400 points
 * flagged, 8 by a fresh panel). Tables without enough common timestamps tell nothing: false. Both tables sorted.
 */
export function replacedData(previous: SeriesTable, next: SeriesTable): boolean {
  if (previous.columns.length !== next.columns.length) {
    return false; // other columns: another model altogether (its training key differs)
  }
  const rows = previous.timestamps.length;
  const end = rows - Math.max(REVISABLE_TAIL_ROWS, Math.ceil(rows * REVISABLE_TAIL_SHARE));
  // Every stride-th row of the previous table (at most MAX_COMPARED_ROWS of them, evenly spread), found in the next
  // by its timestamp: a refresh of 50 series of 10 000 rows compares ~25 000 rows, not 500 000.
  const stride = Math.max(1, Math.ceil(end / MAX_COMPARED_ROWS));
  let common = 0;
  let differing = 0;
  // Where the last sampled row was found: a refresh shifts every row by the same count, so the next one is found at
  // the same shift without a search (one per sampled row was a fifth of a refresh's worker time on 50 series).
  let shift = 0;
  for (let p = 0; p < end; p += stride) {
    const t = previous.timestamps[p];
    const guess = p + shift;
    const n = next.timestamps[guess] === t ? guess : lowerBound(next.timestamps, t);
    shift = n - p;
    if (n < next.timestamps.length && next.timestamps[n] === t) {
      common++;
      if (!sameRow(previous, p, next, n)) {
        differing++;
      }
    }
  }
  return common >= MIN_COMMON_ROWS && differing >= MIN_DIFFERING_ROWS && differing * 4 >= common;
}

function sameRow(a: SeriesTable, row: number, b: SeriesTable, other: number): boolean {
  // A loop, not every() with a closure: that was most of this function's time (512 rows of 50 series a refresh).
  for (let c = 0; c < a.columns.length; c++) {
    if (!sameNumber(a.columns[c].values[row], b.columns[c].values[other])) {
      return false;
    }
  }
  return true;
}
