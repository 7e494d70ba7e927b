/**
 * From a unit's scored rows to the samples its answer holds: the rows within the answered range, valued as the query's
 * function asks (anomaly_score: the score; anomaly_flag: 1 or 0; anomaly_threshold: the threshold), and how many of
 * them are flagged (for the over-flagging warning). Runs where the scoring runs (training/engineJobs.ts): per point.
 */
import type { AnomalyFunction } from './anomalyQuery';
import type { ScoredTable } from './scoreCache';

/** The scored samples of one unit: timestamps (ms) and the anomaly function's value at each. */
export interface Samples {
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * The scored rows within [startMs, endMs], valued as `fn` asks. `flags` (online queries) are the flags as the
 * detector decided them; otherwise a row is flagged when its score exceeds the threshold.
 */
export function samplesInRange(
  fn: AnomalyFunction,
  scored: ScoredTable,
  startMs: number,
  endMs: number,
  flags?: Uint8Array
): Samples {
  const { timestamps: rowTimes, scoredRows, scores, threshold } = scored;
  let count = 0;
  for (let row = 0; row < rowTimes.length; row++) {
    if (scoredRows[row] && rowTimes[row] >= startMs && rowTimes[row] <= endMs) {
      count++;
    }
  }
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  for (let row = 0, i = 0; row < rowTimes.length; row++) {
    const t = rowTimes[row];
    if (!scoredRows[row] || t < startMs || t > endMs) {
      continue;
    }
    timestamps[i] = t;
    values[i] =
      fn === 'anomaly_score'
        ? scores[row]
        : fn === 'anomaly_flag'
          ? isFlagged(scored, row, flags)
            ? 1
            : 0
          : threshold;
    i++;
  }
  return { timestamps, values };
}

/** Scored rows within [startMs, endMs], and how many of them are flagged. */
export function flaggedInRange(
  scored: ScoredTable,
  startMs: number,
  endMs: number,
  flags?: Uint8Array
): { flagged: number; rows: number } {
  let rows = 0;
  let flagged = 0;
  for (let row = 0; row < scored.timestamps.length; row++) {
    const t = scored.timestamps[row];
    if (scored.scoredRows[row] && t >= startMs && t <= endMs) {
      rows++;
      flagged += isFlagged(scored, row, flags) ? 1 : 0;
    }
  }
  return { flagged, rows };
}

function isFlagged(scored: ScoredTable, row: number, flags: Uint8Array | undefined): boolean {
  return flags ? flags[row] === 1 : scored.scores[row] > scored.threshold;
}
