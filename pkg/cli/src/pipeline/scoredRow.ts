import type { FeatureContribution } from '@telemetry-analyzer/engine';

/** Why a row has (or has no) score. */
/** 'training': an online run's warm-up rows, which train the first model and are not scored. */
export type RowStatus = 'scored' | 'warm-up' | 'missing' | 'training';

/** One input row on its way to the outputs. */
export interface ScoredRow {
  line: number;
  timestampMs: number;
  /** Strictly increasing within the group: what the engine sees (see RowReader). */
  orderMs: number;
  group: string;
  values: Float64Array;
  status: RowStatus | 'pending';
  /** NaN until scored (and for rows that are not). */
  score: number;
  /** Online mode: the forest's raw score behind the calibrated `score`. */
  rawScore?: number;
  isAnomaly: boolean;
  /** Per-column mode: the score of each metric's own model (NaN where not scored). */
  columnScores?: Float64Array;
  /** Anomalies only: the features that isolated the row, strongest first. */
  contributions?: FeatureContribution[];
}
