/**
 * What scoring a RowBatch gives, per row, in columns: status, score, flag and (for anomalies) the features that
 * isolated the row. Filled in by the group scorers, read by the outputs and the report.
 */
import type { FeatureContribution, ForestScores, TransferredDetector } from '@telemetry-analyzer/engine';

/**
 * Why a row has (or has no) score; 'training': an online run's warm-up rows, which train the first model;
 * 'untrained': a row of a group with too few rows to train a model on (batch mode, not --strict).
 */
export type RowStatus = 'scored' | 'warm-up' | 'missing' | 'training' | 'untrained';

/** Status codes in BatchScores.status (0: not handled yet). */
export const SCORED = 1;
export const WARM_UP = 2;
export const MISSING = 3;
export const TRAINING = 4;
export const UNTRAINED = 5;
export const STATUS_NAMES: ReadonlyArray<RowStatus | 'pending'> = [
  'pending',
  'scored',
  'warm-up',
  'missing',
  'training',
  'untrained',
];

export interface BatchScores {
  status: Uint8Array;
  /** NaN where the row is not scored. */
  score: Float64Array;
  /** Online mode: the forest's raw score behind `score` (NaN where not scored). */
  rawScore: Float64Array;
  isAnomaly: Uint8Array;
  /** Per-column mode: per metric, the score of its own model (NaN where not scored). */
  columnScores?: Float64Array[];
  /**
   * Online per-column mode, anomalies only, by row: the metric (its index) whose model explains the row, chosen by
   * the engine's perSeriesRow.
   */
  explainedBy?: Map<number, number>;
  /** Anomalies only, by row: the features that isolated the row, strongest first. */
  contributions: Map<number, FeatureContribution[]>;
  /**
   * Online with a scoring worker, whose batches the reading thread finishes (GroupFinishing): per group, the
   * models that started scoring during the batch (a first fit, refits), each from the batch row it scored first.
   */
  models?: ModelHandover[][];
  /**
   * Online with a scoring worker: per group, the forest stage's raw scores of its batch rows, which the reading
   * thread calibrates (undefined for a group without rows in the batch). `score`, `rawScore` and `isAnomaly` are
   * filled in there.
   */
  forest?: Array<ForestScores | undefined>;
}

/** A model handed to the reading thread's explainer: it scored the group's rows from batch row `fromRow` on. */
export interface ModelHandover {
  fromRow: number;
  model: TransferredDetector;
}

export function emptyScores(rows: number, perColumnMetrics = 0): BatchScores {
  return {
    status: new Uint8Array(rows),
    score: new Float64Array(rows).fill(NaN),
    rawScore: new Float64Array(rows).fill(NaN),
    isAnomaly: new Uint8Array(rows),
    columnScores:
      perColumnMetrics > 0
        ? Array.from({ length: perColumnMetrics }, () => new Float64Array(rows).fill(NaN))
        : undefined,
    contributions: new Map(),
  };
}
