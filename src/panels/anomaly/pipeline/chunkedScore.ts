import { type AnomalyDetector, type SeriesTable, keptLayoutScoring, lowerBound } from '@telemetry-analyzer/engine';
import { isComplete } from './checkTraining';

/**
 * Rows scored per engine call. Worker and main-thread fallback cut a table at the same rows, so both give the same
 * scores; a table of at most this many rows is scored in one call, exactly as the engine scores it anywhere.
 */
export const SCORE_CHUNK_ROWS = 8192;
/**
 * Most rows a model trains on: the most recent ones of its training range. The forest draws at most a few hundred
 * rows per tree anyway; this bounds feature building, scaling and the contamination threshold's scoring.
 */
export const MAX_TRAINING_ROWS = 20_000;

/**
 * Rows the engine scores per step: small enough that a step run before the JIT has compiled the scoring loop (the
 * first call on the main thread) stays a fraction of a task, large enough to repay the scoring layout built per step.
 */
export const ENGINE_STEP_ROWS = 2048;

/** Work runInSteps does between two pauses, at most about this long (ms). */
export const STEP_BUDGET_MS = 12;

/**
 * Runs the engine's steps (its generators: trainAndScoreSteps, scoreSteps), pausing whenever STEP_BUDGET_MS have
 * passed since the last pause: on the main thread no task holds more than a step over the budget, in the worker a
 * cancel is noticed as soon. The result is the engine's, whatever the pauses.
 */
export async function runInSteps<T>(steps: Generator<void, T>, pause: () => Promise<void>): Promise<T> {
  let since = performance.now();
  try {
    for (;;) {
      const step = steps.next();
      if (step.done) {
        return step.value;
      }
      if (performance.now() - since >= STEP_BUDGET_MS) {
        await pause();
        since = performance.now();
      }
    }
  } finally {
    // Closed however it ends (a cancel throws out of pause): the engine then gives back the working arrays it
    // holds (workingArray.ts), so the next build reuses them instead of making its own.
    steps.return(undefined as never);
  }
}

/** Rows [from, to) of a table: views of its arrays, or copies when `copy` (to hand to another thread). */
export function sliceTable(table: SeriesTable, from: number, to: number, copy = false): SeriesTable {
  const rows = (a: Float64Array) => (copy ? a.slice(from, to) : a.subarray(from, to));
  return {
    timestamps: rows(table.timestamps),
    columns: table.columns.map((c) => ({ name: c.name, values: rows(c.values) })),
  };
}

/** The training rows a model fits on: all of them, or the most recent MAX_TRAINING_ROWS. */
export function trainingRows(table: SeriesTable): SeriesTable {
  const n = table.timestamps.length;
  return n <= MAX_TRAINING_ROWS ? table : sliceTable(table, n - MAX_TRAINING_ROWS, n);
}

/** The first row of the history a chunk starting at `start` needs: `warmup` complete rows before it. */
export function historyStart(table: SeriesTable, start: number, warmup: number): number {
  let row = start;
  let complete = 0;
  while (row > 0 && complete < warmup) {
    row--;
    if (isComplete(table, row)) {
      complete++;
    }
  }
  return row;
}

export interface Scored {
  /** Table rows scored, ascending. */
  rows: Int32Array;
  scores: Float64Array;
  threshold: number;
  /** Online mode: the detector's own flags (otherwise a row is flagged when its score exceeds the threshold). */
  flags?: Uint8Array;
}

/** Which rows scoreInChunks scores, and in what steps. */
export interface ChunkRange {
  /** First row scored [0]: the rows before it are not. */
  from?: number;
  /**
   * Rows from here on are not scored [the table's end]; a chunk boundary (from + k × SCORE_CHUNK_ROWS), so the chunks
   * before it are cut as they are when the whole table is scored.
   */
  to?: number;
  /** Rows per engine step, between which a cancel is noticed [ENGINE_STEP_ROWS]. */
  stepRows?: number;
}

/**
 * Scores the rows of `table` in `range` with a trained detector, SCORE_CHUNK_ROWS rows per engine call (each chunk
 * with the history its features need), pausing between calls: each row gets the score it gets when the whole table
 * is scored.
 */
export async function scoreInChunks(
  detector: AnomalyDetector,
  table: SeriesTable,
  warmup: number,
  pause: () => Promise<void>,
  range: ChunkRange = {}
): Promise<Scored> {
  const n = table.timestamps.length;
  const { from = 0, to = n, stepRows = ENGINE_STEP_ROWS } = range;
  // Only rows from `from` on are kept: a refresh scoring one new row needs room for one, not for the table. Stopping
  // at `to`, the arrays behind the views returned still have room up to the table's end (withCapacity): the caller
  // scoring the rest elsewhere joins it behind them (peerScoring.ts).
  const rows = new Int32Array(Math.max(0, n - from));
  const scores = new Float64Array(rows.length);
  let count = 0;
  let threshold = NaN;
  // The forest's dense layout is built once for all the chunks (and steps), not once per engine call.
  const scoring = keptLayoutScoring();
  for (let start = from; start < Math.min(n, to); start += SCORE_CHUNK_ROWS) {
    if (start > from) {
      await pause();
    }
    const first = historyStart(table, start, warmup);
    const [result] = await runInSteps(
      detector.scoreSteps(sliceTable(table, first, Math.min(n, start + SCORE_CHUNK_ROWS)), stepRows, scoring),
      pause
    );
    threshold = result.threshold;
    for (let i = 0; i < result.rowIndex.length; i++) {
      const row = first + result.rowIndex[i];
      if (row >= start) {
        rows[count] = row;
        scores[count++] = result.scores[i];
      }
    }
  }
  // Views, not copies: a million rows' copy is a task of its own on the main thread.
  return { rows: rows.subarray(0, count), scores: scores.subarray(0, count), threshold };
}

/** A table the model scored, with its scores: what a refresh can reuse. */
export interface ScoredRows {
  table: SeriesTable;
  scored: Scored;
  /**
   * Whether nothing else reads `scored`'s arrays (nor the rest of their buffers) any more: the refresh then writes
   * its scores into them. Without it they are only read.
   */
  reusable?: boolean;
}

/**
 * A refresh's scores with the same model: the rows the previous table already scored, with the same history, keep
 * their scores; only the rows after the first difference (new points, a changed tail) are scored, with the history
 * they need. A table that does not start inside the previous one is scored whole.
 * @returns the scores, how many rows were scored anew, and when the previous rows were reused, which: the new table's
 * rows [0, same) are the previous table's rows [offset, offset + same), and the rows before `from` kept their scores
 */
export async function rescoreNewRows(
  detector: AnomalyDetector,
  previous: ScoredRows,
  table: SeriesTable,
  warmup: number,
  pause: () => Promise<void>,
  stepRows = ENGINE_STEP_ROWS
): Promise<{ scored: Scored; scoredRows: number; kept?: { offset: number; same: number; from: number } }> {
  const old = previous.table;
  const n = table.timestamps.length;
  const offset = n > 0 ? lowerBound(old.timestamps, table.timestamps[0]) : -1;
  if (n === 0 || offset >= old.timestamps.length || old.timestamps[offset] !== table.timestamps[0]) {
    const scored = await scoreInChunks(detector, table, warmup, pause, { stepRows });
    return { scored, scoredRows: n };
  }
  const same = sameRowCount(old, offset, table, Math.min(n, old.timestamps.length - offset));
  // At least the last row is scored: its result carries the current threshold.
  const from = Math.min(same, n - 1);
  const fresh = await scoreInChunks(detector, table, warmup, pause, { from, stepRows });
  const firstScorable = firstScorableRow(table, warmup);
  // The old rows kept (ascending: those in [firstScorable, from) of the new table), then the fresh ones.
  const { rows: oldRows, scores: oldScores } = previous.scored;
  const first = lowerBound(oldRows, offset + firstScorable);
  const kept = Math.max(0, lowerBound(oldRows, offset + from) - first);
  const length = kept + fresh.rows.length;
  // The previous scores are read only here and replaced by these: when their arrays have room, the kept rows move
  // to their front in place (new memory is expensive in a browser: a 50 x 10 000 refresh wrote 6 MB of it).
  const inPlace = previous.reusable === true && capacity(oldRows) >= length && capacity(oldScores) >= length;
  const rows = inPlace ? withCapacity(oldRows, length) : new Int32Array(length);
  const scores = inPlace ? withCapacity(oldScores, length) : new Float64Array(length);
  // Kept rows that are consecutive (the usual case: no missing value) are rewritten from a counting sequence by a
  // copy, not row by row: on a refresh, the first run of this code, a loop over every kept row of every model was
  // a good part of the workers' time, before the JIT had compiled it.
  const consecutive = kept > 0 && oldRows[first + kept - 1] - oldRows[first] === kept - 1;
  if (inPlace) {
    // Moved within the old views, which hold all of [first, first + kept): the new ones may be shorter than that
    // (more rows left the range's start than are scored anew) and copyWithin clamps the source to its view.
    oldScores.copyWithin(0, first, first + kept);
    if (consecutive) {
      writeCounting(rows, oldRows[first] - offset, kept);
    } else {
      oldRows.copyWithin(0, first, first + kept);
      if (offset !== 0) {
        for (let i = 0; i < kept; i++) {
          rows[i] -= offset;
        }
      }
    }
  } else {
    scores.set(oldScores.subarray(first, first + kept));
    if (consecutive) {
      writeCounting(rows, oldRows[first] - offset, kept);
    } else {
      for (let i = 0; i < kept; i++) {
        rows[i] = oldRows[first + i] - offset;
      }
    }
  }
  rows.set(fresh.rows, kept);
  scores.set(fresh.scores, kept);
  return { scored: { rows, scores, threshold: fresh.threshold }, scoredRows: n - from, kept: { offset, same, from } };
}

/** Most entries of the counting sequence kept between calls (256 kB): what a 50 x 10 000 refresh needs many times. */
const COUNTING_KEPT = 65_536;

/** 0, 1, 2, ...: as long as the longest sequence asked for so far, at most COUNTING_KEPT. */
let counting = new Int32Array(0);

/** out[i] = start + i for i < count: a copy from the kept counting sequence when it reaches, else a loop. */
function writeCounting(out: Int32Array, start: number, count: number): void {
  const end = start + count;
  if (end > COUNTING_KEPT) {
    // A table longer than the sequence kept (a million rows: 4 MB a worker would keep for good): one loop, which
    // for that many rows the JIT compiles while it runs.
    for (let i = 0; i < count; i++) {
      out[i] = start + i;
    }
    return;
  }
  if (counting.length < end) {
    counting = new Int32Array(Math.min(COUNTING_KEPT, Math.max(end, counting.length + (counting.length >> 2))));
    for (let i = 0; i < counting.length; i++) {
      counting[i] = i;
    }
  }
  out.set(counting.subarray(start, end));
}

/** Elements a typed array's buffer holds from the array's start on (a view may be shorter than its buffer). */
function capacity(array: Int32Array | Float64Array): number {
  return (array.buffer.byteLength - array.byteOffset) / array.BYTES_PER_ELEMENT;
}

/** A view of `length` elements from the same start as `array` (within its capacity). */
export function withCapacity<A extends Int32Array | Float64Array>(array: A, length: number): A {
  return new (array.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => A)(
    array.buffer,
    array.byteOffset,
    length
  );
}

/** The first row with `warmup` complete rows before it (the engine scores no row before it). */
function firstScorableRow(table: SeriesTable, warmup: number): number {
  let complete = 0;
  for (let r = 0; r < table.timestamps.length; r++) {
    if (complete >= warmup) {
      return r;
    }
    if (isComplete(table, r)) {
      complete++;
    }
  }
  return table.timestamps.length;
}

/**
 * How many rows from the start of `b` equal those of `a` from row `offset` on (times and every column's values; NaN
 * equals NaN), at most `limit`: column by column, each a tight loop over the rows the earlier ones left.
 */
function sameRowCount(a: SeriesTable, offset: number, b: SeriesTable, limit: number): number {
  let same = samePrefix(a.timestamps, offset, b.timestamps, limit);
  for (let k = 0; k < a.columns.length && same > 0; k++) {
    same = samePrefix(a.columns[k].values, offset, b.columns[k].values, same);
  }
  return same;
}

function samePrefix(a: Float64Array, offset: number, b: Float64Array, limit: number): number {
  for (let i = 0; i < limit; i++) {
    const x = a[offset + i];
    const y = b[i];
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) {
      return i;
    }
  }
  return limit;
}
