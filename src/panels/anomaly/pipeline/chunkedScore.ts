import type { AnomalyDetector, SeriesTable } from '@telemetry-analyzer/engine';
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

export function sliceTable(table: SeriesTable, from: number, to: number): SeriesTable {
  return {
    timestamps: table.timestamps.subarray(from, to),
    columns: table.columns.map((c) => ({ name: c.name, values: c.values.subarray(from, to) })),
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

/**
 * Scores every row of `table` with a trained detector, SCORE_CHUNK_ROWS rows per engine call (each chunk with the
 * history its features need), pausing between calls.
 */
export async function scoreInChunks(
  detector: AnomalyDetector,
  table: SeriesTable,
  warmup: number,
  pause: () => Promise<void>
): Promise<Scored> {
  const n = table.timestamps.length;
  const rows = new Int32Array(n);
  const scores = new Float64Array(n);
  let count = 0;
  let threshold = NaN;
  for (let start = 0; start < n; start += SCORE_CHUNK_ROWS) {
    if (start > 0) {
      await pause();
    }
    const from = historyStart(table, start, warmup);
    const [result] = detector.score(sliceTable(table, from, Math.min(n, start + SCORE_CHUNK_ROWS)));
    threshold = result.threshold;
    for (let i = 0; i < result.rowIndex.length; i++) {
      const row = from + result.rowIndex[i];
      if (row >= start) {
        rows[count] = row;
        scores[count++] = result.scores[i];
      }
    }
  }
  return { rows: rows.slice(0, count), scores: scores.slice(0, count), threshold };
}
