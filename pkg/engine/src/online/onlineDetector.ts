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
import { AnomalyDetector, type DetectorOptions, MIN_TRAINING_ROWS, type ScoreResult } from '../detector';
import { EngineInputError } from '../engineInputError';
import { planFeatures } from '../featurePlan';
import type { ForestScoring } from '../isolationForest';
import { resolveFeatureOptions } from '../featureOptions';
import { SeriesBuffer } from '../seriesBuffer';
import type { SeriesTable } from '../types';
import {
  calibratedThreshold,
  DEFAULT_CALIBRATION,
  OnlineCalibration,
  type CalibrationOptions,
} from './onlineCalibration';
import { TrailingDeviation } from './trailingDeviation';

export interface OnlineOptions extends CalibrationOptions {
  /** Complete rows the first model is trained on (required, >= 1). */
  warmup: number;
  /** [0] Refit the model every this many scored rows; 0 = never. */
  refitEvery?: number;
  /** [4000] Most recent rows a refit trains on. */
  refitHistory?: number;
  /** [500] Rows the trailing deviation compares each value with. */
  deviationWindow?: number;
}

export const DEFAULT_ONLINE_OPTIONS = Object.freeze({
  ...DEFAULT_CALIBRATION,
  refitEvery: 0,
  refitHistory: 4000,
  deviationWindow: 500,
});

/** Status of a pushed row. */
export const ONLINE_TRAINING = 1;
export const ONLINE_SCORED = 0;

/** A model and the first row it scored (an index into the rows it was given). */
export interface ModelSpan {
  from: number;
  detector: AnomalyDetector;
}

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

/** Per model: its calibration and the trailing deviation of each of its columns. */
interface ModelState {
  columns: number[];
  calibration: OnlineCalibration;
  deviations: TrailingDeviation[];
}

export class OnlineDetector {
  readonly options: Required<OnlineOptions>;
  private readonly buffer: SeriesBuffer;
  /** Rows of history scoring needs before a row: the features' warm-up. */
  private readonly historyRows: number;
  private model: AnomalyDetector | undefined;
  private readonly states: ModelState[];
  private scoredSinceFit = 0;

  /**
   * @param scoring how the forest scores the rows pushed (a host may spread them over threads; the results are the
   *   same) [in this thread]
   */
  constructor(
    readonly columns: string[],
    private readonly detectorOptions: DetectorOptions,
    online: OnlineOptions,
    private readonly scoring?: ForestScoring
  ) {
    this.options = { ...DEFAULT_ONLINE_OPTIONS, ...online };
    const { warmup, refitEvery, refitHistory, deviationWindow } = this.options;
    requireInteger('warmup', warmup, 1);
    requireInteger('refitEvery', refitEvery, 0);
    requireInteger('refitHistory', refitHistory, 1);
    requireInteger('deviationWindow', deviationWindow, 2);
    const features = resolveFeatureOptions(detectorOptions.features);
    this.historyRows = planFeatures(columns, features, { hourOfDay: false, dayOfWeek: false }).warmup;
    const leastHistory = minimumRefitHistory(detectorOptions);
    if (refitEvery > 0 && refitHistory < leastHistory) {
      // Every refit would fail to train (and the rows after it would be refused as out of order): said at once.
      throw new EngineInputError(
        'invalid-option',
        `online option refitHistory must be at least ${leastHistory} when refitEvery is set, got ${refitHistory}: ` +
          `a refit trains on the last refitHistory rows, and training needs ${leastHistory - MIN_TRAINING_ROWS} ` +
          `warm-up rows (lags and rolling window) plus ${MIN_TRAINING_ROWS} to fit on`
      );
    }
    this.buffer = new SeriesBuffer(columns);
    const groups = detectorOptions.mode === 'per-column' ? columns.map((_, c) => [c]) : [columns.map((_, c) => c)];
    this.states = groups.map((group) => ({
      columns: group,
      calibration: new OnlineCalibration(this.options),
      deviations: group.map(() => new TrailingDeviation(deviationWindow)),
    }));
  }

  /** The current model (undefined during the warm-up). */
  get detector(): AnomalyDetector | undefined {
    return this.model;
  }

  /**
   * Flags are scores above this (numeric contamination); for 'auto', raw scores above 0.5 (sklearn's rule). In
   * per-column mode a row is flagged when any of its k columns is, so each column gets contamination / k: the
   * row's flag share stays at most the contamination.
   */
  get threshold(): number {
    const contamination = this.detectorOptions.forest?.contamination ?? 'auto';
    return contamination === 'auto' ? 0.5 : calibratedThreshold(contamination / this.states.length);
  }

  /**
   * Scores the rows of `table` (complete rows, after every row pushed before).
   * @throws EngineInputError for a malformed table, rows not after the previous ones, or a first model that cannot
   *   be trained on the warm-up rows
   */
  push(table: SeriesTable): OnlineResult {
    const rows = table.timestamps.length;
    const result: OnlineResult = {
      status: new Uint8Array(rows),
      scores: new Float64Array(rows).fill(NaN),
      rawScores: new Float64Array(rows).fill(NaN),
      isAnomaly: new Uint8Array(rows),
      models: [],
    };
    if (this.detectorOptions.mode === 'per-column') {
      result.columnScores = this.columns.map(() => new Float64Array(rows).fill(NaN));
    }
    const values = this.columns.map((name) => {
      const column = table.columns.find((candidate) => candidate.name === name);
      if (column === undefined) {
        throw new EngineInputError('missing-column', `the table has no column '${name}'`, name);
      }
      return column.values;
    });
    const last = this.buffer.length > 0 ? this.buffer.table(this.buffer.length - 1).timestamps[0] : -Infinity;
    if (rows > 0 && !(table.timestamps[0] > last)) {
      throw new EngineInputError('unsorted', 'online rows must come after the rows pushed before');
    }
    let row = 0;
    while (row < rows) {
      if (this.model === undefined) {
        row = this.collectWarmup(table, values, row, result);
        continue;
      }
      const refitIn = this.options.refitEvery > 0 ? this.options.refitEvery - this.scoredSinceFit : Infinity;
      const end = Math.min(rows, row + refitIn);
      if (result.models[result.models.length - 1]?.detector !== this.model) {
        result.models.push({ from: row, detector: this.model });
      }
      this.scoreRows(table, values, row, end, result);
      row = end;
      if (this.options.refitEvery > 0 && this.scoredSinceFit >= this.options.refitEvery) {
        this.fit(this.buffer.table(Math.max(0, this.buffer.length - this.options.refitHistory)), false);
      }
    }
    return result;
  }

  /** Buffers warm-up rows; trains the first model once `warmup` rows are in. Returns the next row to handle. */
  private collectWarmup(table: SeriesTable, values: Float64Array[], from: number, result: OnlineResult): number {
    const take = Math.min(table.timestamps.length - from, this.options.warmup - this.buffer.length);
    this.buffer.pushRange(table.timestamps, values, from, from + take);
    result.status.fill(ONLINE_TRAINING, from, from + take);
    if (this.buffer.length === this.options.warmup) {
      this.fit(this.buffer.table(), true);
    }
    return from + take;
  }

  /** Trains a model on `rows`; the first one also seeds the calibration with the training rows' signals. */
  private fit(rows: SeriesTable, seed: boolean): void {
    if (!seed) {
      this.model = AnomalyDetector.train(rows, this.detectorOptions);
      this.scoredSinceFit = 0;
      return;
    }
    const { detector, results } = AnomalyDetector.trainAndScore(rows, this.detectorOptions);
    this.model = detector;
    this.scoredSinceFit = 0;
    const values = rows.columns.map((column) => column.values);
    this.states.forEach((state, m) => {
      const trained = results[m];
      let scored = 0;
      for (let row = 0; row < rows.timestamps.length; row++) {
        const deviation = this.deviationOf(state, values, row);
        if (scored < trained.rowIndex.length && trained.rowIndex[scored] === row) {
          state.calibration.remember(trained.scores[scored], deviation);
          scored++;
        }
      }
    });
    this.trimBuffer();
  }

  /** Scores rows [from, to) of `table` with the current model. */
  private scoreRows(table: SeriesTable, values: Float64Array[], from: number, to: number, result: OnlineResult): void {
    const start = this.buffer.length;
    this.buffer.pushRange(table.timestamps, values, from, to);
    const windowStart = Math.max(0, start - this.historyRows);
    const window = this.buffer.table(windowStart);
    const scored = this.model!.score(window, this.scoring);
    const buffered = window.columns.map((column) => column.values);
    const offset = start - windowStart;
    const contamination = this.detectorOptions.forest?.contamination ?? 'auto';
    const threshold = this.threshold;
    this.states.forEach((state, m) => {
      const forest = rawScoresByRow(scored[m], window.timestamps.length);
      for (let k = 0; k < to - from; k++) {
        const row = from + k;
        const deviation = this.deviationOf(state, buffered, offset + k);
        const raw = forest[offset + k];
        const score = state.calibration.calibrate(raw, deviation);
        const flagged = contamination === 'auto' ? raw > threshold : score > threshold;
        if (result.columnScores) {
          result.columnScores[m][row] = score;
        }
        if (!(result.scores[row] >= score)) {
          result.scores[row] = score;
          result.rawScores[row] = raw;
        }
        if (flagged) {
          result.isAnomaly[row] = 1;
        }
      }
    });
    this.scoredSinceFit += to - from;
    this.trimBuffer();
  }

  /** The largest trailing deviation of the model's columns at a buffered row; pushes the row's values after. */
  private deviationOf(state: ModelState, values: Float64Array[], row: number): number {
    let deviation = 0;
    for (let d = 0; d < state.columns.length; d++) {
      const value = values[state.columns[d]][row];
      deviation = Math.max(deviation, state.deviations[d].deviation(value));
      state.deviations[d].push(value);
    }
    return deviation;
  }

  /** Keeps what the next scoring (features' history) and refit need. */
  private trimBuffer(): void {
    const keep = Math.max(this.historyRows, this.options.refitEvery > 0 ? this.options.refitHistory : 0);
    if (this.buffer.length > 2 * keep + 1024) {
      this.buffer.keepLast(keep);
    }
  }
}

/** The forest's score of each window row (NaN where the window row was not scored). */
function rawScoresByRow(result: ScoreResult, rows: number): Float64Array {
  const byRow = new Float64Array(rows).fill(NaN);
  for (let i = 0; i < result.rowIndex.length; i++) {
    byRow[result.rowIndex[i]] = result.scores[i];
  }
  return byRow;
}

/** The fewest rows a refit can train on with these options: the features' warm-up plus MIN_TRAINING_ROWS. */
export function minimumRefitHistory(detectorOptions: DetectorOptions): number {
  const features = resolveFeatureOptions(detectorOptions.features);
  return planFeatures([], features, { hourOfDay: false, dayOfWeek: false }).warmup + MIN_TRAINING_ROWS;
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new EngineInputError('invalid-option', `online option ${name} must be an integer >= ${min}, got ${value}`);
  }
}
