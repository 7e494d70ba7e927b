import type { FeatureContribution } from '@telemetry-analyzer/engine';

/** Why a row has (or has no) score. */
export type RowStatus = 'scored' | 'warm-up' | 'missing';

/** One input row on its way to the outputs. */
export interface ScoredRow {
  line: number;
  timestampMs: number;
  group: string;
  values: Float64Array;
  status: RowStatus | 'pending';
  /** NaN until scored (and for rows that are not). */
  score: number;
  isAnomaly: boolean;
  /** Per-column mode: the score of each metric's own model (NaN where not scored). */
  columnScores?: Float64Array;
  /** Anomalies only: the features that isolated the row, strongest first. */
  contributions?: FeatureContribution[];
}
