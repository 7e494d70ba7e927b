/**
 * Reusing a model's previous scores. A dashboard refresh or an alert rule asks again and again for mostly the same
 * range, and the score of a row depends only on the model, the row's timestamp and values, and the `warm-up` kept
 * rows before it (lags, first difference, rolling window; rows with a missing value are skipped before any feature
 * sees them). So each model keeps the last table it scored (timestamps, raw values, per-row scores), and the next
 * request reuses the score of every row whose timestamp and values, and those of all rows before it in the new
 * table, are unchanged; only the rest goes through the engine.
 *
 * Row by row, the new table is split into:
 *   head:  the rows up to and including its `history` first kept rows (history = window + lags + 1, at least the
 *          engine's warm-up). Whether they are warm-up rows depends on where the table starts, so the engine scores
 *          them on a slice that starts where the table starts, exactly as it would score the whole table.
 *   reused: the rest of the rows that match the previous table row for row from the new table's first row on
 *          (a forward-shifted range, or the same range again); their history lies within the matched rows.
 *   tail:  the rows from the first new or changed one (a new step, or a late sample that changed a value) to the
 *          end: scored by the engine on a slice that starts `history` kept rows earlier, so it has their history;
 *          the engine reports the slice's first rows as warm-up and they are taken from the head or reused rows.
 * A table that does not start inside the previous one (an earlier or unrelated range) is scored whole.
 *
 * Caveat: the engine's rolling mean/std are running sums re-anchored every `window` values, counted from the start
 * of the table, so their last float64 bit can depend on where a table starts; the features are float32, which
 * absorbs that except on the rare value right at a float32 rounding boundary. Two uncached requests with different
 * start times already differ the same way; reused scores are those of the earlier request.
 */
import {
  type AnomalyDetector,
  type ScoreResult,
  type SeriesTable,
  featureHistoryRows,
  lowerBound,
} from '@telemetry-analyzer/engine';

/** The last table a model scored, and what the engine said about every row of it. */
export interface ScoredTable {
  timestamps: Float64Array;
  /** Raw values per column, in the detector's column order (NaN = missing). */
  columns: Float64Array[];
  /** 1 where the engine scored the row, 0 for warm-up rows and rows with a missing value. */
  scoredRows: Uint8Array;
  /** Anomaly score per row (0 where not scored). */
  scores: Float64Array;
  /** The detector's threshold (anomaly iff score > threshold). */
  threshold: number;
  /**
   * The upstream range and step the raw values were fetched for (rows exist only where a series had a sample), set
   * by the evaluator; a later query fetches only what is newer (query/fastForward.ts).
   */
  fetched?: { startMs: number; endMs: number; stepMs: number };
}

export interface CachedScoring {
  scored: ScoredTable;
  /** Rows the engine scored for this table (head and tail). */
  rowsScored: number;
  /** Scored rows taken from the previous table. */
  rowsFromCache: number;
}

/** Bytes a ScoredTable holds: what each cached model carries on top of its detector. */
export function scoredTableBytes(scored: ScoredTable): number {
  const rows = scored.timestamps.length;
  return rows * (8 * (2 + scored.columns.length) + 1);
}

/**
 * Scores `table` (columns in the detector's order) with `detector`, reusing `previous` where the rows allow it.
 * @param previous the ScoredTable of an earlier call with this same detector (a retrained model starts without)
 */
export function scoreWithCache(
  detector: AnomalyDetector,
  table: SeriesTable,
  previous: ScoredTable | undefined
): CachedScoring {
  const rows = table.timestamps.length;
  const columns = table.columns.map((column) => column.values);
  const kept = keptRows(columns, rows);
  const features = detector.options.features;
  const history = featureHistoryRows(features);

  const scored: ScoredTable = {
    timestamps: table.timestamps,
    columns,
    scoredRows: new Uint8Array(rows),
    scores: new Float64Array(rows),
    threshold: NaN,
  };
  let rowsScored = 0;
  /** Engine-scores rows [start, end) and keeps the results of rows [keepFrom, end). */
  const scoreSlice = (start: number, end: number, keepFrom: number) => {
    const result = scoreRows(detector, table, start, end);
    scored.threshold = result.threshold;
    rowsScored += result.rowIndex.length;
    for (let i = 0; i < result.rowIndex.length; i++) {
      const row = result.rowIndex[i] + start;
      if (row >= keepFrom) {
        scored.scoredRows[row] = 1;
        scored.scores[row] = result.scores[i];
      }
    }
  };

  const match = matchPrevious(previous, table.timestamps, columns);
  const headEnd = rowAfterKept(kept, 0, history);
  const tailStart = Math.max(match.rows, headEnd);
  const tailSliceStart = tailStart < rows ? sliceStartWithHistory(kept, tailStart, history) : rows;
  if (previous === undefined || tailSliceStart <= headEnd) {
    // Nothing (or too little) to reuse: the whole table, as an uncached request scores it.
    scoreSlice(0, rows, 0);
    return { scored, rowsScored, rowsFromCache: 0 };
  }
  scoreSlice(0, headEnd, 0);
  let rowsFromCache = 0;
  for (let row = headEnd; row < tailStart; row++) {
    const previousRow = match.offset + row;
    if (previous.scoredRows[previousRow]) {
      scored.scoredRows[row] = 1;
      scored.scores[row] = previous.scores[previousRow];
      rowsFromCache++;
    }
  }
  if (tailStart < rows) {
    scoreSlice(tailSliceStart, rows, tailStart);
  }
  return { scored, rowsScored, rowsFromCache };
}

/** The engine's result for rows [start, end) of the table, scored as a table of their own. */
function scoreRows(detector: AnomalyDetector, table: SeriesTable, start: number, end: number): ScoreResult {
  const slice: SeriesTable = {
    timestamps: table.timestamps.subarray(start, end),
    columns: table.columns.map((column) => ({ name: column.name, values: column.values.subarray(start, end) })),
  };
  const results = detector.score(slice);
  if (results.length !== 1) {
    throw new Error(`the proxy trains multivariate detectors (one result per table), got ${results.length} results`);
  }
  return results[0];
}

/** 1 for rows where every column has a value: the rows the engine's features count. */
function keptRows(columns: Float64Array[], rows: number): Uint8Array {
  const kept = new Uint8Array(rows).fill(1);
  for (const values of columns) {
    for (let row = 0; row < rows; row++) {
      if (Number.isNaN(values[row])) {
        kept[row] = 0;
      }
    }
  }
  return kept;
}

/** The row after the `count`-th kept row from `start` on (the table's length when there are fewer). */
function rowAfterKept(kept: Uint8Array, start: number, count: number): number {
  let seen = 0;
  for (let row = start; row < kept.length; row++) {
    seen += kept[row];
    if (seen >= count) {
      return row + 1;
    }
  }
  return kept.length;
}

/** The latest row such that rows [row, end) hold `count` kept rows (0 when the table has fewer before `end`). */
function sliceStartWithHistory(kept: Uint8Array, end: number, count: number): number {
  let seen = 0;
  for (let row = end - 1; row >= 0; row--) {
    seen += kept[row];
    if (seen >= count) {
      return row;
    }
  }
  return 0;
}

/**
 * Where the new table's first row is in the previous table (`offset`), and for how many rows from there on the
 * timestamps and every value are the same (`rows`; 0 when the previous table cannot be reused at all).
 */
function matchPrevious(
  previous: ScoredTable | undefined,
  timestamps: Float64Array,
  columns: Float64Array[]
): { offset: number; rows: number } {
  if (previous === undefined || previous.columns.length !== columns.length || timestamps.length === 0) {
    return { offset: 0, rows: 0 };
  }
  const at = lowerBound(previous.timestamps, timestamps[0]);
  const offset = previous.timestamps[at] === timestamps[0] ? at : -1;
  if (offset < 0) {
    return { offset: 0, rows: 0 };
  }
  const limit = Math.min(timestamps.length, previous.timestamps.length - offset);
  let rows = 0;
  while (rows < limit && previous.timestamps[offset + rows] === timestamps[rows]) {
    rows++;
  }
  for (let c = 0; c < columns.length; c++) {
    const now = columns[c];
    const before = previous.columns[c];
    for (let row = 0; row < rows; row++) {
      const a = now[row];
      const b = before[offset + row];
      // Bit-equal values only (NaN equals NaN; 0 and -0 differ): anything else is rescored.
      if (!(a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b)) {
        rows = row;
        break;
      }
    }
  }
  return { offset, rows };
}
