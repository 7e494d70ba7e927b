/**
 * Online detection: every row is scored from the rows before it (and itself) alone, the way an alert sees a
 * series, with calibrated scores (onlineCalibration.ts) that one threshold serves across series.
 *
 * Rows arrive in batches of any size (push); the results do not depend on how the rows were batched, and a row's
 * result never changes once returned. The first `warmup` complete rows train the first model (AnomalyDetector,
 * with the host's feature and forest options); they are not scored, their in-sample scores seed the calibration.
 * Every later row gets the forest's raw score (from its lags and rolling windows over the preceding rows), the
 * trailing deviation of its values, and the calibrated score of the two. With `refitEvery` > 0 the model is
 * refitted on the last `refitHistory` rows every `refitEvery` scored rows (off by default: on NAB refitting did
 * not carry over to held-out series, see docs/detection.md).
 *
 * In 'per-column' mode each column's model has its own calibration; a row's score is the highest of its
 * columns', and it is flagged when any column is (each column at contamination / columns, see `threshold`).
 *
 * Rows with a missing value are the host's to skip (as buildFeatures skips them): push complete rows only.
 */
import type { DetectorOptions } from '../detector';
import type { ForestScoring } from '../isolationForest';
import type { SeriesTable } from '../types';
import { DEFAULT_CALIBRATION_STAGE_OPTIONS, OnlineCalibrator, type CalibrationStageOptions } from './onlineCalibrator';
import { DEFAULT_FOREST_STAGE_OPTIONS, OnlineForest, type ForestStageOptions, type ModelSpan } from './onlineForest';

export { ONLINE_SCORED, ONLINE_TRAINING, minimumRefitHistory, type ModelSpan } from './onlineForest';

export interface OnlineOptions extends ForestStageOptions, CalibrationStageOptions {}

/** Each stage's defaults, written once in its own file. */
export const DEFAULT_ONLINE_OPTIONS = Object.freeze({
  ...DEFAULT_CALIBRATION_STAGE_OPTIONS,
  ...DEFAULT_FOREST_STAGE_OPTIONS,
});

export interface OnlineResult {
  /** Per pushed row: ONLINE_SCORED, or ONLINE_TRAINING for the warm-up rows (not scored). */
  status: Uint8Array;
  /** Calibrated score in [0, 1]; NaN for rows not scored. */
  scores: Float64Array;
  /** The forest's raw score (as batch scoring gives it); NaN for rows not scored. */
  rawScores: Float64Array;
  /** 1 where the row is flagged. */
  isAnomaly: Uint8Array;
  /**
   * The models that scored the rows, in order: models[k].detector scored the scored rows from models[k].from (a
   * pushed row's index) up to the next entry's `from`. More than one when a refit (or the first fit) happened within
   * the push; explain a row with the model that scored it, and the explanations do not depend on the batching.
   */
  models: ModelSpan[];
  /** Per-column mode: each column's calibrated score, per column (NaN for rows not scored). */
  columnScores?: Float64Array[];
}

/**
 * Both stages in one: the forest's raw scores (OnlineForest), then their calibration (OnlineCalibrator). A host
 * that runs the stages on different threads gets the same results (the stages share nothing but the forest stage's
 * results, in order).
 */
export class OnlineDetector {
  readonly options: Required<OnlineOptions>;
  private readonly forest: OnlineForest;
  private readonly calibrator: OnlineCalibrator;

  /**
   * @param scoring how the forest scores the rows pushed (a host may spread them over threads; the results are the
   *   same) [in this thread]
   */
  constructor(
    readonly columns: string[],
    detectorOptions: DetectorOptions,
    online: OnlineOptions,
    scoring?: ForestScoring
  ) {
    this.options = { ...DEFAULT_ONLINE_OPTIONS, ...online };
    this.forest = new OnlineForest(columns, detectorOptions, this.options, scoring);
    this.calibrator = new OnlineCalibrator(
      columns.length,
      detectorOptions.mode === 'per-column',
      detectorOptions.forest?.contamination ?? 'auto',
      this.options
    );
  }

  /** The current model (undefined during the warm-up). */
  get detector() {
    return this.forest.detector;
  }

  /** See OnlineCalibrator.threshold. */
  get threshold(): number {
    return this.calibrator.threshold;
  }

  /**
   * Scores the rows of `table` (complete rows, after every row pushed before).
   * @throws EngineInputError for a malformed table, rows not after the previous ones, or a first model that cannot
   *   be trained on the warm-up rows
   */
  push(table: SeriesTable): OnlineResult {
    const forest = this.forest.push(table);
    const values = this.columns.map((name) => table.columns.find((column) => column.name === name)!.values);
    return { status: forest.status, models: forest.models, ...this.calibrator.push(values, forest) };
  }
}
