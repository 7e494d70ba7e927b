/**
 * `online=true` queries: each unit's rows from the start of its training window to the end of the scored range go
 * through the engine's OnlineDetector, exactly as `telemetry-analyzer detect --online --warmup N` would take them
 * (N = the complete rows inside the training window): the first model trains on the training window, and every
 * later row is scored from the rows before it, with calibrated scores (docs/detection.md).
 *
 * The training window ends at the start of the retrain interval that holds the scored range's start (the engine's
 * onlineTrainingEnd, which the panel mirrors; fixed train_start/train_end are taken as given), so a rule's evaluations and a dashboard's refreshes within one
 * interval share the window, and a point gets the same score from an instant query and from a range query that
 * starts in the same interval. Online queries keep no model between evaluations: each one trains, which the cost
 * limits bound like any training.
 */
import {
  EngineInputError,
  OnlineDetector,
  onlineTrainingEnd,
  type DetectorOptions,
  type SeriesTable,
} from '@telemetry-analyzer/engine';
import type { ScoredTable } from './scoreCache';

/** The training window of an online evaluation whose scored range starts at `scoreStartMs`. */
export function onlineTrainingRange(
  training: { windowMs: number } | { startMs: number; endMs: number },
  scoreStartMs: number,
  retrainIntervalMs: number
): { startMs: number; endMs: number } {
  if ('startMs' in training) {
    return training;
  }
  const endMs = onlineTrainingEnd(scoreStartMs, retrainIntervalMs);
  return { startMs: endMs - training.windowMs, endMs };
}

/** One unit's online scores: rows scored, their calibrated scores and threshold, and the detector's flags. */
export interface OnlineScores {
  scored: ScoredTable;
  flags: Uint8Array;
}

/**
 * Online scores of `table` (one unit's rows, missing values as NaN): rows up to `trainingEndMs` train the first
 * model, the later complete rows are scored. `flags` holds the rows the detector flagged (for `anomaly_flag`).
 * @returns a message instead when the training rows cannot train a model
 */
export function scoreOnline(
  table: SeriesTable,
  options: DetectorOptions,
  trainingEndMs: number
): OnlineScores | string {
  const rows = table.timestamps.length;
  const complete: number[] = [];
  let warmup = 0;
  for (let row = 0; row < rows; row++) {
    if (table.columns.every((column) => !Number.isNaN(column.values[row]))) {
      complete.push(row);
      if (table.timestamps[row] < trainingEndMs) {
        warmup++;
      }
    }
  }
  if (warmup === 0) {
    return 'no complete rows in the training window';
  }
  const pick = (values: Float64Array) => Float64Array.from(complete, (row) => values[row]);
  const columns = table.columns.map((column) => column.name);
  let result;
  try {
    const detector = new OnlineDetector(columns, options, { warmup });
    result = detector.push({
      timestamps: pick(table.timestamps),
      columns: table.columns.map(({ name, values }) => ({ name, values: pick(values) })),
    });
    const scored: ScoredTable = {
      timestamps: table.timestamps,
      columns: table.columns.map((column) => column.values),
      scoredRows: new Uint8Array(rows),
      scores: new Float64Array(rows),
      threshold: detector.threshold,
    };
    const flags = new Uint8Array(rows);
    complete.forEach((row, i) => {
      if (!Number.isNaN(result!.scores[i])) {
        scored.scoredRows[row] = 1;
        scored.scores[row] = result!.scores[i];
        flags[row] = result!.isAnomaly[i];
      }
    });
    return { scored, flags };
  } catch (error) {
    if (error instanceof EngineInputError) {
      return `cannot train: ${error.message}`;
    }
    throw error;
  }
}
