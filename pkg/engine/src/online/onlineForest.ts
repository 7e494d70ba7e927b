/**
 * The forest half of online detection (OnlineDetector = OnlineForest, then OnlineCalibrator): buffers the rows, trains
 * the first model on the first `warmup` complete rows, refits at its cadence, and gives every later row the forest's
 * raw score from the rows before it. What it computes depends on the rows alone, never on a calibrated score, so a
 * host may run it ahead on another thread and calibrate its results elsewhere, in order (the CLI does).
 */
import { AnomalyDetector, type DetectorOptions, MIN_TRAINING_ROWS, type ScoreResult } from '../detector';
import { EngineInputError } from '../engineInputError';
import { planFeatures } from '../featurePlan';
import { anomalyScoring, type ForestScoring } from '../isolationForest';
import { resolveFeatureOptions } from '../featureOptions';
import { matrixRows } from '../matrixRows';
import { SeriesBuffer } from '../seriesBuffer';
import type { FeatureMatrix, SeriesTable } from '../types';
import type { LeftWalk } from './leftWalk';

/** Status of a pushed row. */
export const ONLINE_TRAINING = 1;
export const ONLINE_SCORED = 0;

/** The forest stage's options (OnlineOptions has them all). */
export interface ForestStageOptions {
  /** Complete rows the first model is trained on (required, >= 1). */
  warmup: number;
  /** [0] Refit the model every this many scored rows; 0 = never. */
  refitEvery?: number;
  /** [4000] Most recent rows a refit trains on. */
  refitHistory?: number;
}

export const DEFAULT_FOREST_STAGE_OPTIONS = Object.freeze({ refitEvery: 0, refitHistory: 4000 });

/** A model and the first row it scored (an index into the rows it was given). */
export interface ModelSpan {
  from: number;
  detector: AnomalyDetector;
}

/**
 * The first model's training rows, for the calibration's seed: their values (per column, in the order of the
 * detector's columns) and, per model of the detector, each row's in-sample score (NaN for a row the model did not
 * score: the features' warm-up).
 */
export interface WarmupSeed {
  values: Float64Array[];
  trainingScores: Float64Array[];
}

/** What the calibration needs of a push to the forest stage (plain typed arrays: it may cross threads). */
export interface ForestScores {
  /** Per pushed row: ONLINE_SCORED, or ONLINE_TRAINING for the warm-up rows (not scored). */
  status: Uint8Array;
  /** Per model of the detector (one; one per column in per-column mode), per pushed row: the raw score (NaN if none). */
  rawScores: Float64Array[];
  /** Set by the push that trained the first model: the calibration is seeded with it before its scored rows. */
  seed?: WarmupSeed;
  /**
   * Rows whose walk the push left to the host (push's leaveShare), their raw scores NaN until walkLeftRows puts them
   * in; the calibration refuses a result with walks left.
   */
  leftWalks?: LeftWalk[];
}

export interface ForestStageResult extends ForestScores {
  /** The models that scored the rows, in order (see OnlineResult.models). */
  models: ModelSpan[];
}

export class OnlineForest {
  readonly options: Required<ForestStageOptions>;
  private readonly buffer: SeriesBuffer;
  /** Rows of history scoring needs before a row: the features' warm-up. */
  private readonly historyRows: number;
  private model: AnomalyDetector | undefined;
  private scoredSinceFit = 0;
  /** Models of the detector: one, or one per column in per-column mode. */
  readonly modelCount: number;

  /**
   * @param scoring how the forest scores the rows pushed (a host may spread them over threads; the results are the
   *   same) [in this thread]
   */
  constructor(
    readonly columns: string[],
    private readonly detectorOptions: DetectorOptions,
    options: ForestStageOptions,
    private readonly scoring?: ForestScoring
  ) {
    this.options = { ...DEFAULT_FOREST_STAGE_OPTIONS, ...options };
    const { warmup, refitEvery, refitHistory } = this.options;
    requireInteger('warmup', warmup, 1);
    requireInteger('refitEvery', refitEvery, 0);
    requireInteger('refitHistory', refitHistory, 1);
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
    this.modelCount = detectorOptions.mode === 'per-column' ? columns.length : 1;
  }

  /** The current model (undefined during the warm-up). */
  get detector(): AnomalyDetector | undefined {
    return this.model;
  }

  /**
   * Raw scores of the rows of `table` (complete rows, after every row pushed before).
   * @param leaveShare the share of the scored rows whose forest walk is left to the caller (result.leftWalks, done
   *   by walkLeftRows, on any thread): the last rows of each model's span. Results do not depend on it [0]
   * @throws EngineInputError for a malformed table, rows not after the previous ones, or a first model that cannot
   *   be trained on the warm-up rows
   */
  push(table: SeriesTable, leaveShare = 0): ForestStageResult {
    if (!(leaveShare >= 0 && leaveShare <= 1)) {
      throw new EngineInputError('invalid-option', `leaveShare must be between 0 and 1, got ${leaveShare}`);
    }
    const rows = table.timestamps.length;
    const result: ForestStageResult = {
      status: new Uint8Array(rows),
      rawScores: Array.from({ length: this.modelCount }, () => new Float64Array(rows).fill(NaN)),
      models: [],
    };
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
      this.scoreRows(table, values, row, end, result, Math.floor((end - row) * leaveShare));
      row = end;
      if (this.options.refitEvery > 0 && this.scoredSinceFit >= this.options.refitEvery) {
        this.model = AnomalyDetector.train(
          this.buffer.table(Math.max(0, this.buffer.length - this.options.refitHistory)),
          this.detectorOptions
        );
        this.scoredSinceFit = 0;
      }
    }
    return result;
  }

  /** Buffers warm-up rows; trains the first model once `warmup` rows are in. Returns the next row to handle. */
  private collectWarmup(table: SeriesTable, values: Float64Array[], from: number, result: ForestStageResult): number {
    const take = Math.min(table.timestamps.length - from, this.options.warmup - this.buffer.length);
    this.buffer.pushRange(table.timestamps, values, from, from + take);
    result.status.fill(ONLINE_TRAINING, from, from + take);
    if (this.buffer.length === this.options.warmup) {
      const rows = this.buffer.table();
      const { detector, results } = AnomalyDetector.trainAndScore(rows, this.detectorOptions);
      this.model = detector;
      this.scoredSinceFit = 0;
      result.seed = {
        values: rows.columns.map((column) => column.values.slice()),
        trainingScores: results.map((trained) => scoresByRow(trained, rows.timestamps.length)),
      };
      this.trimBuffer();
    }
    return from + take;
  }

  /** Raw scores of rows [from, to) of `table` by the current model, but for the walk of the last `leave` rows. */
  private scoreRows(
    table: SeriesTable,
    values: Float64Array[],
    from: number,
    to: number,
    result: ForestStageResult,
    leave: number
  ): void {
    const start = this.buffer.length;
    this.buffer.pushRange(table.timestamps, values, from, to);
    const windowStart = Math.max(0, start - this.historyRows);
    const window = this.buffer.table(windowStart);
    const left: LeftRows[] = [];
    const scored = this.model!.score(window, leave > 0 ? this.leavingScoring(leave, left) : this.scoring);
    const offset = start - windowStart;
    scored.forEach((modelScores, m) => {
      const byRow = scoresByRow(modelScores, window.timestamps.length);
      result.rawScores[m].set(byRow.subarray(offset, offset + to - from), from);
      const rows = left.find((candidate) => candidate.out === modelScores.scores);
      if (rows !== undefined) {
        (result.leftWalks ??= []).push(leftWalk(rows, modelScores.rowIndex, m, from - offset, result.rawScores[m]));
      }
    });
    this.scoredSinceFit += to - from;
    this.trimBuffer();
  }

  /** The host's scoring for all but the last `leave` rows of each model; those are kept in `left` instead. */
  private leavingScoring(leave: number, left: LeftRows[]): ForestScoring {
    return (forest, matrix, out) => {
      const walked = Math.max(0, matrix.rows - leave);
      // Copied before the host scores the rest: its scoring may hand the matrix's memory elsewhere.
      const tail = matrixRows(matrix, walked, matrix.rows);
      left.push({ out, first: walked, matrix: { ...tail, values: tail.values.slice() } });
      (this.scoring ?? anomalyScoring)(forest, matrixRows(matrix, 0, walked), out.subarray(0, walked));
    };
  }

  /** Keeps what the next scoring (features' history) and refit need. */
  private trimBuffer(): void {
    const keep = Math.max(this.historyRows, this.options.refitEvery > 0 ? this.options.refitHistory : 0);
    if (this.buffer.length > 2 * keep + 1024) {
      this.buffer.keepLast(keep);
    }
  }
}

/** Rows a scoring call left unwalked: matrix rows first.. of its `out` (the model's scores), their features copied. */
interface LeftRows {
  out: Float64Array;
  first: number;
  matrix: FeatureMatrix;
}

/**
 * The walk of `left`'s rows that are pushed rows (pushed row = window row + `shift`, >= 0; a history row's score is
 * not kept, so it needs no walk); their raw scores (in `raw`, by pushed row) become NaN until walked.
 * @param rowIndex the scored rows' window rows (ScoreResult.rowIndex)
 */
function leftWalk(left: LeftRows, rowIndex: Int32Array, model: number, shift: number, raw: Float64Array): LeftWalk {
  let first = left.first;
  while (first < rowIndex.length && rowIndex[first] + shift < 0) {
    first++;
  }
  const rows = new Int32Array(rowIndex.length - first);
  for (let i = 0; i < rows.length; i++) {
    rows[i] = rowIndex[first + i] + shift;
    raw[rows[i]] = NaN;
  }
  const { cols } = left.matrix;
  const skipped = first - left.first;
  const values = skipped === 0 ? left.matrix.values : left.matrix.values.slice(skipped * cols);
  return { model, rows, matrix: { rows: rows.length, cols, values } };
}

/** A model's score of each of `rows` table rows (NaN where the model did not score the row). */
function scoresByRow(result: ScoreResult, rows: number): Float64Array {
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

export function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new EngineInputError('invalid-option', `online option ${name} must be an integer >= ${min}, got ${value}`);
  }
}
