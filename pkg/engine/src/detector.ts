/**
 * AnomalyDetector: features (buildFeatures.ts) + standard scaling (fitted on the training rows only) + Isolation
 * Forest, trained once on a history table and then scoring new tables, single rows (createOnlineScorer) or a
 * saved model (toJSON / fromJSON) with exactly the same features.
 *
 * Modes: 'multivariate' fits one forest over the features of all metric columns (catches unusual combinations);
 * 'per-column' fits one forest per metric from that metric's features only (plus the time features), and reports
 * one result per column. A row is anomalous when any column's is, so each of the k forests is thresholded at
 * contamination / k (modelContamination): the rows flagged stay about the contamination, as in online mode.
 *
 * What training decides is stored and reused for every later table: the feature options with `seasonality`
 * resolved against the training span (a short scoring table must not lose the time features), the scaler fitted
 * on the training rows (scoring rows never refit it), the feature names and the forests.
 *
 * Training refuses (EngineInputError, message naming the column / row):
 *   - malformed tables (validateTable.ts): unsorted or duplicate timestamps, ±Infinity, mismatched lengths;
 *   - fewer than MIN_TRAINING_ROWS usable rows after the warm-up and the missing rows;
 *
 * A constant column is accepted, as scikit-learn accepts it: no tree ever splits on it (a node treats a feature as
 * constant when max <= min + 1e-7, the float32 tolerance), so it does not change the scores. Hosts warn about it:
 * a later change in such a column goes unnoticed by the forest (the online mode's trailing deviation still sees it).
 */
import { buildFeatureRows, buildFeatureSteps, type BuiltFeatures } from './buildFeatures';
import { detectorFormatError } from './detectorFormatError';
import { EngineInputError } from './engineInputError';
import { resolveFeatureOptions, type FeatureOptions } from './featureOptions';
import { planFeatures, resolveSeasonality, type Seasonality } from './featurePlan';
import { StandardScaler, type SerializedScaler } from './features/standardScaler';
import {
  anomalyScoring,
  flagsAbove,
  IsolationForest,
  validateContamination,
  type ForestScoring,
  type TransferredForest,
} from './isolationForest';
import { modelContamination } from './flagShare';
import { dropLoneTimeFeatures } from './loneTimeFeatures';
import { matrixRows } from './matrixRows';
import type { SerializedForest } from './modelFormat';
import { createOnlineScorer, type OnlineScorer } from './onlineScorer';
import { type Steps, runSteps } from './steps';
import type { FeatureContribution, FeatureMatrix, IsolationForestParams, SeriesTable } from './types';
import { validateTable } from './validateTable';
import { Lendable, WorkingArray } from './workingArray';

/** Rows a model needs to be fitted on, after the warm-up rows and without the missing rows. */
export const MIN_TRAINING_ROWS = 8;

export const DETECTOR_KIND = 'telemetry-analyzer-detector';
export const DETECTOR_FORMAT_VERSION = 1;

export type DetectorMode = 'multivariate' | 'per-column';

export interface DetectorOptions {
  /** How features are built [see FeatureOptions for each default]. */
  features?: FeatureOptions;
  /** Isolation Forest parameters [see IsolationForestParams for each default]. */
  forest?: IsolationForestParams;
  /** One model over all columns, or one per column ['multivariate']. */
  mode?: DetectorMode;
}

/** Feature options of a trained detector: `seasonality` is resolved, so scoring data gets the training columns. */
export type TrainedFeatureOptions = Omit<Required<FeatureOptions>, 'seasonality'> & { seasonality: Seasonality };

export interface TrainedDetectorOptions {
  features: TrainedFeatureOptions;
  forest: Required<IsolationForestParams>;
  mode: DetectorMode;
}

export interface ScoreResult {
  /** Table rows that were scored. */
  rowIndex: Int32Array;
  /** Anomaly score per scored row, in (0, 1]. */
  scores: Float64Array;
  /** 1 where score > threshold. */
  isAnomaly: Uint8Array;
  threshold: number;
  /** Table rows without enough history for the lags / window (not scored). */
  warmupRows: number[];
  /** Table rows with a missing (NaN) metric (not scored). */
  missingRows: number[];
  /** per-column mode: the metric this result is for. */
  column?: string;
}

/** One fitted forest and what it needs to turn a table into its input. Internal to the detector and its scorer. */
export interface DetectorModel {
  /** Metric columns the model reads: all of them (multivariate) or one (per-column). */
  columns: string[];
  featureNames: string[];
  /** null in raw mode or with scale: false. */
  scaler: StandardScaler | null;
  forest: IsolationForest;
}

export interface SerializedDetector {
  kind: typeof DETECTOR_KIND;
  formatVersion: typeof DETECTOR_FORMAT_VERSION;
  mode: DetectorMode;
  columns: string[];
  features: TrainedFeatureOptions;
  /**
   * The detector's contamination (each forest's is modelContamination of it). Absent from files written before
   * per-column forests shared it: their forests each hold the whole contamination, and are read as they are.
   */
  contamination?: number | 'auto';
  models: Array<{
    columns: string[];
    featureNames: string[];
    scaler: SerializedScaler | null;
    forest: SerializedForest;
  }>;
}

const DETECTOR_TRANSFER_KIND = 'telemetry-analyzer-detector-transfer';

/** A detector as AnomalyDetector.toTransfer hands it over: structured-clonable, for worker threads. */
export interface TransferredDetector {
  kind: typeof DETECTOR_TRANSFER_KIND;
  columns: string[];
  options: TrainedDetectorOptions;
  models: Array<{
    columns: string[];
    featureNames: string[];
    scaler: SerializedScaler | null;
    forest: TransferredForest;
  }>;
}

export class AnomalyDetector {
  private constructor(
    /** The metric columns trained on, in the order push() of the online scorer expects them. */
    readonly columns: string[],
    /** As trained; forest.contamination is the detector's current one (setContamination). */
    private trainedOptions: TrainedDetectorOptions,
    private readonly models: DetectorModel[]
  ) {}

  /**
   * Builds features on `table`, fits the scaler on those rows and the forest(s) on the scaled features.
   * @throws EngineInputError (see the file comment)
   */
  static train(table: SeriesTable, options: DetectorOptions = {}): AnomalyDetector {
    return AnomalyDetector.fit(table, options, false).detector;
  }

  /**
   * train(table) and then score(table) in one pass, for hosts that score the very rows they train on: the features
   * are built once, and the training rows' scores (which a numeric contamination needs for its threshold) are the
   * results. Bit-identical to `const d = AnomalyDetector.train(table, options); d.score(table)`, at about half the
   * cost.
   * @throws EngineInputError as train()
   */
  static trainAndScore(
    table: SeriesTable,
    options: DetectorOptions = {}
  ): { detector: AnomalyDetector; results: ScoreResult[] } {
    return AnomalyDetector.fit(table, options, true);
  }

  /**
   * trainAndScore in steps (see steps.ts): a generator that yields after each feature column, after scaling, after
   * growing the trees and after every `rowsPerStep` training rows scored, and returns exactly what trainAndScore
   * returns (the same model, scores and threshold), and throws what it throws (from next()).
   * @param rowsPerStep training rows scored per step [4096]
   */
  static trainAndScoreSteps(
    table: SeriesTable,
    options: DetectorOptions = {},
    rowsPerStep = DEFAULT_ROWS_PER_STEP
  ): Steps<{ detector: AnomalyDetector; results: ScoreResult[] }> {
    return AnomalyDetector.fitSteps(table, options, true, rowsPerStep);
  }

  /**
   * Validates, builds the features and fits every model; with `scoreTrainingRows`, also scores each model's training
   * rows while its features are at hand (and lets its forest threshold from those scores).
   */
  private static fit(
    table: SeriesTable,
    options: DetectorOptions,
    scoreTrainingRows: boolean
  ): { detector: AnomalyDetector; results: ScoreResult[] } {
    return runSteps(AnomalyDetector.fitSteps(table, options, scoreTrainingRows, Infinity));
  }

  private static *fitSteps(
    table: SeriesTable,
    options: DetectorOptions,
    scoreTrainingRows: boolean,
    rowsPerStep: number
  ): Steps<{ detector: AnomalyDetector; results: ScoreResult[] }> {
    const mode = options.mode ?? 'multivariate';
    if (mode !== 'multivariate' && mode !== 'per-column') {
      throw new EngineInputError(
        'invalid-option',
        `mode must be 'multivariate' or 'per-column', got ${JSON.stringify(mode)}`
      );
    }
    const requested = resolveFeatureOptions(options.features);
    const forestParams = withInvalidOption(() => new IsolationForest(options.forest).params);
    validateTable(table);
    const features: TrainedFeatureOptions = {
      ...requested,
      seasonality: resolveSeasonality(table.timestamps, requested),
    };
    const columns = table.columns.map((column) => column.name);
    const groups = mode === 'multivariate' ? [columns] : columns.map((name) => [name]);
    const modelParams = {
      ...forestParams,
      contamination: modelContamination(forestParams.contamination, groups.length),
    };
    const results: ScoreResult[] = [];
    const models: DetectorModel[] = [];
    for (const group of groups) {
      // Scoring its training rows here, the model needs its matrix only until the forest adopts their scores: the
      // matrix is then borrowed (TRAINING_MATRIX), and given back however this generator ends. A detector from a
      // generator that did not end never reaches anyone.
      const matrixMemory = scoreTrainingRows ? TRAINING_MATRIX.borrow() : undefined;
      try {
        const { model, built, matrix } = yield* trainModelSteps(
          selectColumns(table, group),
          features,
          modelParams,
          scoreTrainingRows,
          matrixMemory && ((length) => matrixMemory.take(length))
        );
        if (scoreTrainingRows) {
          const scores = yield* scoreRowsSteps(model.forest, matrix, rowsPerStep);
          // The forest keeps its own copy: the caller owns the result and may change it.
          model.forest.adoptTrainingScores(scores.slice());
          results.push(scoreResult(model, built, scores, mode));
        }
        models.push(model);
      } finally {
        TRAINING_MATRIX.giveBack(matrixMemory);
      }
    }
    return { detector: new AnomalyDetector(columns, { features, forest: forestParams, mode }, models), results };
  }

  /** Options as trained (defaults filled, seasonality resolved, the current contamination). */
  get options(): TrainedDetectorOptions {
    const { features } = this.trainedOptions;
    return {
      ...this.trainedOptions,
      features: { ...features, seasonality: { ...features.seasonality } },
      forest: { ...this.models[0].forest.params, contamination: this.trainedOptions.forest.contamination },
    };
  }

  /**
   * The forest of one of the detector's models, for a host that walks feature rows itself (walkLeftRows).
   * @param model index of the model: 0, or in per-column mode the column's position in `columns` [0]
   */
  forestOf(model = 0): IsolationForest {
    const found = this.models[model];
    if (found === undefined) {
      throw new RangeError(`the detector has ${this.models.length} model(s), not a model ${model}`);
    }
    return found.forest;
  }

  /** Feature names of the matrix: of the one model, or of every column's model one after another. */
  get featureNames(): string[] {
    return this.models.flatMap((model) => model.featureNames);
  }

  /**
   * Scores every row of `table` that has complete history, with the stored feature options and scaler.
   * @returns one result (multivariate) or one per trained column, in training order (per-column)
   * @throws EngineInputError for a malformed table or columns that do not match the trained ones
   */
  score(table: SeriesTable, scoring?: ForestScoring): ScoreResult[] {
    return runSteps(this.scoreSteps(table, Infinity, scoring));
  }

  /**
   * score() in steps (see steps.ts): yields after each feature column, after scaling and after every `rowsPerStep`
   * rows scored; returns exactly what score() returns, and throws what it throws (from next()).
   * @param rowsPerStep rows scored per step [4096]
   * @param scoring how the forest scores the feature rows (a host may spread them over threads) [anomalyScoring]
   */
  *scoreSteps(table: SeriesTable, rowsPerStep = DEFAULT_ROWS_PER_STEP, scoring?: ForestScoring): Steps<ScoreResult[]> {
    this.checkColumns(table);
    const results: ScoreResult[] = [];
    for (const model of this.models) {
      // Scaled as they are built (from their float64 values, as in training).
      const built = yield* buildFeatureSteps(
        selectColumns(table, model.columns),
        this.trainedOptions.features,
        undefined,
        model.scaler?.statistics
      );
      const matrix = built.matrix;
      yield;
      const scores = yield* scoreRowsSteps(model.forest, matrix, rowsPerStep, scoring);
      results.push(scoreResult(model, built, scores, this.trainedOptions.mode));
    }
    return results;
  }

  /**
   * The features most responsible for the score of the `i`-th scored row of `result` (a result of score(table)),
   * with their names, sorted by weight, descending.
   * @param top how many features to return [all]
   */
  explain(table: SeriesTable, result: ScoreResult, i: number, top?: number): FeatureContribution[] {
    return this.explainMany(table, result, [i], top)[0];
  }

  /**
   * explain() for several scored rows at once: the table's features are built once for all of them, which is what
   * makes explaining hundreds of anomalies of one series cheap.
   * @param indices positions in `result` (0 <= i < result.rowIndex.length)
   */
  explainMany(
    table: SeriesTable,
    result: ScoreResult,
    indices: ArrayLike<number>,
    top?: number
  ): FeatureContribution[][] {
    this.checkColumns(table);
    const model =
      this.trainedOptions.mode === 'per-column'
        ? this.models.find((m) => m.columns[0] === result.column)
        : this.models[0];
    if (model === undefined) {
      throw new EngineInputError(
        'result-mismatch',
        `the result is for column '${result.column}', which this detector has no model for`
      );
    }
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= result.rowIndex.length) {
        throw new EngineInputError(
          'invalid-option',
          `explain: i must be an integer in [0, ${result.rowIndex.length}), got ${i}`
        );
      }
    }
    const { built, matrix } = this.featuresFor(model, table);
    const explained: FeatureContribution[][] = [];
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (built.rowIndex.length !== result.rowIndex.length || built.rowIndex[i] !== result.rowIndex[i]) {
        throw new EngineInputError('result-mismatch', 'explain: the result was not produced by score() on this table');
      }
      explained.push(namedContributions(model, model.forest.explain(matrix, i, top)));
    }
    return explained;
  }

  /**
   * explain() by table row, without scoring first: the features most responsible for the scores of rows
   * `tableRows` of `table` (each must have complete history: lags and rolling windows), features built once.
   * @param column per-column mode: whose model explains [the first]
   * @throws EngineInputError for a row without complete history, or an unknown column
   */
  explainRows(
    table: SeriesTable,
    tableRows: ArrayLike<number>,
    top?: number,
    column?: string
  ): FeatureContribution[][] {
    this.checkColumns(table);
    const model = column === undefined ? this.models[0] : this.models.find((m) => m.columns[0] === column);
    if (model === undefined) {
      throw new EngineInputError('unknown-column', `explainRows: this detector has no model for column '${column}'`);
    }
    // Only the explained rows' features are built and scaled (buildFeatureRows: the same values as buildFeatures).
    const order = Array.from(tableRows, (_, k) => k).sort((a, b) => tableRows[a] - tableRows[b]);
    const sorted = order.map((k) => tableRows[k]);
    const built = buildFeatureRows(
      selectColumns(table, model.columns),
      this.trainedOptions.features,
      sorted,
      model.scaler?.statistics
    );
    if (built.incomplete !== undefined) {
      throw new EngineInputError(
        'invalid-option',
        `explainRows: table row ${built.incomplete} has no complete history (or a missing value) and was not scored`
      );
    }
    const { cols } = built.matrix;
    const picked = new Float32Array(tableRows.length * cols);
    order.forEach((k, i) => picked.set(built.matrix.values.subarray(i * cols, (i + 1) * cols), k * cols));
    const matrix: FeatureMatrix = { rows: tableRows.length, cols, values: picked };
    const explained: FeatureContribution[][] = [];
    for (let k = 0; k < tableRows.length; k++) {
      explained.push(namedContributions(model, model.forest.explain(matrix, k, top)));
    }
    return explained;
  }

  /** Re-thresholds every forest from its kept training scores ('auto' or a share in (0, 0.5]); no refit. */
  setContamination(contamination: 'auto' | number): void {
    withInvalidOption(() => {
      validateContamination(contamination);
      const each = modelContamination(contamination, this.models.length);
      this.models.forEach((model) => model.forest.setContamination(each));
    });
    this.trainedOptions = { ...this.trainedOptions, forest: { ...this.trainedOptions.forest, contamination } };
  }

  /**
   * Keeps only what scoring needs, for hosts that hold many models and never re-threshold them (see
   * IsolationForest.releaseTrainingData): setContamination to a number and toJSON throw afterwards.
   */
  releaseTrainingData(): void {
    this.models.forEach((model) => model.forest.releaseTrainingData());
  }

  /** A scorer for streams: push one row at a time, scored exactly as score() scores it (see onlineScorer.ts). */
  createOnlineScorer(): OnlineScorer {
    return createOnlineScorer(this.columns, this.trainedOptions, this.models);
  }

  /** Versioned JSON; fromJSON(JSON.parse(JSON.stringify(detector))) scores bit-identically. */
  toJSON(): SerializedDetector {
    return {
      kind: DETECTOR_KIND,
      formatVersion: DETECTOR_FORMAT_VERSION,
      mode: this.trainedOptions.mode,
      columns: [...this.columns],
      features: { ...this.trainedOptions.features, seasonality: { ...this.trainedOptions.features.seasonality } },
      contamination: this.trainedOptions.forest.contamination,
      models: this.models.map((model) => ({
        columns: [...model.columns],
        featureNames: [...model.featureNames],
        scaler: model.scaler === null ? null : model.scaler.toJSON(),
        forest: model.forest.toJSON(),
      })),
    };
  }

  /**
   * The detector as plain data a worker thread can be handed (postMessage: typed arrays are copied whole or
   * transferred, never walked element by element), for hosts that keep models on one thread and score on another.
   * Holds what scoring needs (the compact trees, ~66 kB per 100 trees), not the training data: fromTransfer gives a
   * detector that scores bit-identically and cannot be saved (toJSON) or re-thresholded, as after
   * releaseTrainingData. Fixes the thresholds first.
   */
  toTransfer(): TransferredDetector {
    return {
      kind: DETECTOR_TRANSFER_KIND,
      columns: [...this.columns],
      options: {
        ...this.trainedOptions,
        features: { ...this.trainedOptions.features, seasonality: { ...this.trainedOptions.features.seasonality } },
        forest: { ...this.trainedOptions.forest },
      },
      models: this.models.map((model) => ({
        columns: [...model.columns],
        featureNames: [...model.featureNames],
        scaler: model.scaler === null ? null : model.scaler.toJSON(),
        forest: model.forest.toTransfer(),
      })),
    };
  }

  /**
   * The detector toTransfer described. No per-tree work: the arrays are wrapped as they are (they come from
   * toTransfer within the same process, not from a file: files go through fromJSON, which checks everything).
   */
  static fromTransfer(transfer: TransferredDetector): AnomalyDetector {
    if (transfer?.kind !== DETECTOR_TRANSFER_KIND) {
      throw new Error('AnomalyDetector.fromTransfer: not what AnomalyDetector.toTransfer returns');
    }
    return new AnomalyDetector(
      transfer.columns,
      transfer.options,
      transfer.models.map((model) => ({
        columns: model.columns,
        featureNames: model.featureNames,
        scaler: model.scaler === null ? null : StandardScaler.fromJSON(model.scaler),
        forest: IsolationForest.fromTransfer(model.forest),
      }))
    );
  }

  /** @throws ModelFormatError saying what is wrong when `json` is not a detector written by toJSON */
  static fromJSON(json: unknown): AnomalyDetector {
    const doc = asRecord(json, 'the model');
    if (doc.kind !== DETECTOR_KIND) {
      throw detectorFormatError(`kind is ${JSON.stringify(doc.kind)}, expected '${DETECTOR_KIND}'`);
    }
    if (doc.formatVersion !== DETECTOR_FORMAT_VERSION) {
      throw detectorFormatError(
        `formatVersion ${JSON.stringify(doc.formatVersion)} is not supported; this engine reads version ${DETECTOR_FORMAT_VERSION}`
      );
    }
    const mode = doc.mode;
    if (mode !== 'multivariate' && mode !== 'per-column') {
      throw detectorFormatError(`mode is ${JSON.stringify(mode)}, expected 'multivariate' or 'per-column'`);
    }
    const columns = asStringArray(doc.columns, 'columns');
    if (columns.length === 0 || new Set(columns).size !== columns.length) {
      throw detectorFormatError('columns must be a non-empty list of distinct names');
    }
    const features = readFeatureOptions(doc.features);
    const storedModels = doc.models;
    if (!Array.isArray(storedModels)) {
      throw detectorFormatError('models must be an array');
    }
    const groups = mode === 'multivariate' ? [columns] : columns.map((name) => [name]);
    if (storedModels.length !== groups.length) {
      throw detectorFormatError(
        `a ${mode} detector over ${columns.length} columns needs ${groups.length} models, found ${storedModels.length}`
      );
    }
    const models = groups.map((group, m) => readModel(storedModels[m], group, features, `models[${m}]`));
    const contamination = readContamination(doc.contamination, models);
    const forestParams = { ...models[0].forest.params, contamination };
    return new AnomalyDetector(columns, { features, forest: forestParams, mode }, models);
  }

  /** Every trained column must be in the table, and nothing else. */
  private checkColumns(table: SeriesTable): void {
    validateTable(table);
    const names = new Set(table.columns.map((column) => column.name));
    for (const name of this.columns) {
      if (!names.has(name)) {
        throw new EngineInputError(
          'missing-column',
          `the table has no column '${name}', which the detector was trained on`,
          name
        );
      }
    }
    for (const { name } of table.columns) {
      if (!this.columns.includes(name)) {
        throw new EngineInputError(
          'unknown-column',
          `the detector was not trained on column '${name}' (trained on: ${this.columns.join(', ')})`,
          name
        );
      }
    }
  }

  /** The model's features of `table`, scaled as in training. */
  private featuresFor(model: DetectorModel, table: SeriesTable): { built: BuiltFeatures; matrix: FeatureMatrix } {
    const built = runSteps(
      buildFeatureSteps(
        selectColumns(table, model.columns),
        this.trainedOptions.features,
        undefined,
        model.scaler?.statistics
      )
    );
    return { built, matrix: built.matrix };
  }
}

function namedContributions(model: DetectorModel, contributions: FeatureContribution[]): FeatureContribution[] {
  return contributions.map((contribution) => ({ ...contribution, name: model.featureNames[contribution.feature] }));
}

/** A model's scores of the rows in `built`, thresholded. */
function scoreResult(
  model: DetectorModel,
  built: BuiltFeatures,
  scores: Float64Array,
  mode: DetectorMode
): ScoreResult {
  const threshold = model.forest.threshold;
  const isAnomaly = flagsAbove(scores, threshold);
  const result: ScoreResult = {
    rowIndex: built.rowIndex,
    scores,
    isAnomaly,
    threshold,
    warmupRows: built.warmupRows,
    missingRows: built.missingRows,
  };
  if (mode === 'per-column') {
    result.column = model.columns[0];
  }
  return result;
}

/**
 * The training matrix of a detector that scores its training rows as it fits (trainAndScore): ~350 kB for 10 000
 * rows of 9 features, which a browser's worker would otherwise take as fresh memory for every model
 * (workingArray.ts).
 */
const TRAINING_MATRIX = new Lendable(() => new WorkingArray((n) => new Float32Array(n)));

/** Rows scored per step by the detector's generators (a few milliseconds of work). */
const DEFAULT_ROWS_PER_STEP = 4096;

/**
 * Scores the rows of `matrix`, `rowsPerStep` rows per step; each row's score is the same whatever the steps. Without
 * a host's `scoring`, the steps share one scoring layout (IsolationForest.batchScorer), dropped with the call: a
 * layout per step cost a build (~0.3 ms) and ~190 kB of fresh memory each time (10 000 rows in 2 048-row steps: 5).
 */
function* scoreRowsSteps(
  forest: IsolationForest,
  matrix: FeatureMatrix,
  rowsPerStep: number,
  scoring?: ForestScoring
): Steps<Float64Array> {
  const scores = new Float64Array(matrix.rows);
  if (!(rowsPerStep < matrix.rows)) {
    (scoring ?? anomalyScoring)(forest, matrix, scores);
    return scores;
  }
  const score = scoring ?? layoutKeptForTheCall(forest);
  const step = Math.max(1, Math.floor(rowsPerStep));
  for (let start = 0; start < matrix.rows; start += step) {
    const end = Math.min(matrix.rows, start + step);
    score(forest, matrixRows(matrix, start, end), scores.subarray(start, end));
    yield;
  }
  return scores;
}

/** Scoring by `forest` through a layout built on the first batch that pays for one and kept for the next ones. */
function layoutKeptForTheCall(forest: IsolationForest): ForestScoring {
  const scorer = forest.batchScorer();
  return (_forest, matrix, out) => {
    scorer(matrix, out);
  };
}

/**
 * Fits one model, yielding after each feature column, the scaling and the trees; returns it with its training
 * rows' features (`matrix`: scaled, as the forest saw them; built.matrix is that same matrix).
 */
function* trainModelSteps(
  table: SeriesTable,
  features: TrainedFeatureOptions,
  forestParams: Required<IsolationForestParams>,
  /** The caller scores `matrix` and hands the scores to the forest (adoptTrainingScores), leaving it unchanged. */
  scoresAdopted: boolean,
  /** Where the matrix's values go [a new array]. */
  matrixValues?: (length: number) => Float32Array
): Steps<{ model: DetectorModel; built: BuiltFeatures; matrix: FeatureMatrix }> {
  // The scaler is fitted on the training rows' float64 features as they are built, and the matrix scaled with it.
  const scaled = features.scale && !features.raw;
  const built = yield* buildFeatureSteps(table, features, matrixValues, scaled ? 'fit' : undefined);
  requireEnoughRows(table, built, features);
  dropLoneTimeFeatures(built.matrix, built.sourceColumn);
  const scaler = scaled ? StandardScaler.fromStatistics(built.scaling!) : null;
  const matrix = built.matrix;
  yield;
  const forest = withInvalidOption(() => {
    const fresh = new IsolationForest(forestParams);
    return scoresAdopted ? fresh.fitSharingRows(matrix) : fresh.fit(matrix);
  });
  yield;
  const model: DetectorModel = {
    columns: table.columns.map((column) => column.name),
    featureNames: built.featureNames,
    scaler,
    forest,
  };
  return { model, built, matrix };
}

function requireEnoughRows(table: SeriesTable, built: BuiltFeatures, features: TrainedFeatureOptions): void {
  const usable = built.matrix.rows;
  if (usable >= MIN_TRAINING_ROWS) {
    return;
  }
  const warmup = planFeatures([], features, features.seasonality).warmup;
  const subject = table.columns.length === 1 ? `column '${table.columns[0].name}'` : 'the table';
  const needsHistory = [
    features.lags > 0 ? `lags ${features.lags}` : '',
    features.differences ? 'the difference' : '',
    features.rolling ? `window ${features.window}` : '',
  ].filter(Boolean);
  const why =
    warmup > 0
      ? `${warmup} warm-up rows (for ${needsHistory.join(', ')}) plus at least ${MIN_TRAINING_ROWS} rows to fit on`
      : `at least ${MIN_TRAINING_ROWS} rows to fit on`;
  let missing = '';
  if (built.missingRows.length > 0) {
    const perColumn = table.columns
      .map(({ name, values }) => `'${name}': ${values.reduce((n, v) => n + (Number.isNaN(v) ? 1 : 0), 0)}`)
      .join(', ');
    missing = `; ${built.missingRows.length} of its ${table.timestamps.length} rows have a missing value (${perColumn})`;
  }
  throw new EngineInputError(
    'too-few-rows',
    `${subject} has ${usable} usable rows, training needs ${warmup + MIN_TRAINING_ROWS} complete rows: ${why}${missing}`,
    table.columns.length === 1 ? table.columns[0].name : undefined
  );
}

/** A table with only the named columns, in that order (the values are shared, not copied). */
function selectColumns(table: SeriesTable, names: readonly string[]): SeriesTable {
  // Loops, not map and find with a closure per name: inlined into a host's per-batch code, those closures made
  // V8 throw that code away at every call ('wrong map': 50 deoptimisations and recompilations per million rows).
  const columns: SeriesTable['columns'] = [];
  for (const name of names) {
    let found = 0;
    while (found < table.columns.length && table.columns[found].name !== name) {
      found++;
    }
    columns.push(table.columns[found]);
  }
  return { timestamps: table.timestamps, columns };
}

/** Runs `action`, turning the forest's RangeError for a bad parameter into an EngineInputError. */
function withInvalidOption<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof RangeError) {
      throw new EngineInputError('invalid-option', error.message);
    }
    throw error;
  }
}

/**
 * The detector's contamination as stored, checked against its forests' (modelContamination of it); a file without it
 * (written before it was stored) has the first forest's, every forest holding the whole contamination.
 */
function readContamination(stored: unknown, models: DetectorModel[]): number | 'auto' {
  if (stored === undefined) {
    return models[0].forest.params.contamination;
  }
  try {
    validateContamination(stored);
  } catch (error) {
    throw detectorFormatError(`contamination: ${(error as Error).message}`);
  }
  const each = modelContamination(stored, models.length);
  if (models.some((model) => model.forest.params.contamination !== each)) {
    throw detectorFormatError(
      `contamination ${String(stored)} does not match its ${models.length} forests' (each ${String(each)} expected)`
    );
  }
  return stored;
}

function readFeatureOptions(json: unknown): TrainedFeatureOptions {
  const { seasonality, ...rest } = asRecord(json, 'features');
  const resolved = seasonality as Partial<Seasonality> | null;
  if (
    typeof resolved !== 'object' ||
    resolved === null ||
    typeof resolved.hourOfDay !== 'boolean' ||
    typeof resolved.dayOfWeek !== 'boolean'
  ) {
    throw detectorFormatError(
      `features.seasonality must be resolved to { hourOfDay: boolean, dayOfWeek: boolean }, got ${JSON.stringify(seasonality)}`
    );
  }
  try {
    return {
      ...resolveFeatureOptions(rest as FeatureOptions),
      seasonality: { hourOfDay: resolved.hourOfDay, dayOfWeek: resolved.dayOfWeek },
    };
  } catch (error) {
    throw detectorFormatError(`features: ${(error as Error).message}`);
  }
}

function readModel(json: unknown, columns: string[], features: TrainedFeatureOptions, where: string): DetectorModel {
  const doc = asRecord(json, where);
  const storedColumns = asStringArray(doc.columns, `${where}.columns`);
  if (storedColumns.join('\u0000') !== columns.join('\u0000')) {
    throw detectorFormatError(
      `${where}.columns is ${JSON.stringify(storedColumns)}, expected ${JSON.stringify(columns)}`
    );
  }
  // The names must be what these options give for these columns: otherwise the document was edited or mixed up.
  const expectedNames = planFeatures(columns, features, features.seasonality).features.map((f) => f.name);
  const featureNames = asStringArray(doc.featureNames, `${where}.featureNames`);
  if (featureNames.join('\u0000') !== expectedNames.join('\u0000')) {
    throw detectorFormatError(
      `${where}.featureNames do not match the feature options (expected ${expectedNames.length} features: ${expectedNames.join(', ')})`
    );
  }
  const scaled = features.scale && !features.raw;
  if (scaled === (doc.scaler === null || doc.scaler === undefined)) {
    throw detectorFormatError(`${where}.scaler must be ${scaled ? 'present' : 'null'} for these feature options`);
  }
  const scaler = scaled ? StandardScaler.fromJSON(doc.scaler) : null;
  if (scaler !== null && scaler.toJSON().means.length !== featureNames.length) {
    throw detectorFormatError(
      `${where}.scaler has ${scaler.toJSON().means.length} columns, the model ${featureNames.length} features`
    );
  }
  const forest = IsolationForest.fromJSON(doc.forest);
  const forestFeatures = (doc.forest as SerializedForest).featureCount;
  if (forestFeatures !== featureNames.length) {
    throw detectorFormatError(
      `${where}.forest was fitted on ${forestFeatures} features, the model has ${featureNames.length}`
    );
  }
  return { columns, featureNames, scaler, forest };
}

function asRecord(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw detectorFormatError(`${what} must be a JSON object`);
  }
  return json as Record<string, unknown>;
}

function asStringArray(json: unknown, what: string): string[] {
  if (!Array.isArray(json) || !json.every((item) => typeof item === 'string')) {
    throw detectorFormatError(`${what} must be an array of strings`);
  }
  return json;
}
