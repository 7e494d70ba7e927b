/**
 * Turns a SeriesTable into the feature matrix the forest is fitted on or scores.
 *
 * Missing values: a row with NaN in any metric column is reported in `missingRows` and left out BEFORE any
 * feature is computed, so lags, differences and rolling windows run over the remaining observations: the lag of
 * the row after a gap is the last observed value, not NaN and not an interpolation. Gaps in time are not filled
 * either; every feature counts points, not seconds. (In per-column mode the detector builds each column's
 * features from that column alone, so a gap in one metric does not remove rows of another.)
 *
 * Warm-up: the first `warmup` remaining rows (see planFeatures) lack the history for a lag or a full window; they
 * are reported in `warmupRows` and get no matrix row — never zero-filled or silently dropped.
 *
 * raw mode: the metric columns exactly as given, no warm-up, no time features (and the detector does not scale).
 *
 * The matrix is filled feature by feature into one Float32Array: O(rows) per feature, no per-row allocation. Given a
 * scaling (a fitted StandardScaler's statistics, or 'fit' to compute them from these rows), each feature is scaled
 * from its float64 values and rounded to float32 once (scaledFeature): the forest reads float32, and rounding before
 * scaling would lose every variation below 1e-7 of a series' level.
 */
import {
  planFeatures,
  resolveSeasonality,
  type FeatureBuildOptions,
  type FeatureKind,
  type FeaturePlan,
  type Seasonality,
} from './featurePlan';
import { rollingExtremum } from './features/rollingExtremum';
import { RollingMoments } from './features/rollingMoments';
import { columnStatistics, scaledFeature, scaledWith, type FeatureScaling } from './features/standardScaler';
import { timeFeatures, type TimeFeatures } from './features/timeFeatures';
import { runSteps } from './steps';
import type { FeatureMatrix, SeriesTable } from './types';
import { clampToFloat32, validateTable } from './validateTable';
import { Lendable, WorkingArray } from './workingArray';

const float64s = () => new WorkingArray((n) => new Float64Array(n));

/**
 * buildFeatureSteps' temporaries (workingArray.ts): the gathered column and timestamps, the calendar, the rolling
 * series, the kept rows. Written before they are read; none is in what it returns.
 */
const FEATURE_WORK = new Lendable(() => ({
  compact: float64s(),
  timestamps: float64s(),
  calendar: {
    hourSin: float64s(),
    hourCos: float64s(),
    weekdaySin: float64s(),
    weekdayCos: float64s(),
    memo: float64s(),
  } satisfies Record<keyof TimeFeatures | 'memo', WorkingArray<Float64Array>>,
  mean: float64s(),
  std: float64s(),
  extremum: float64s(),
  /** One feature's values over the rows written, before scaling and the float32 matrix. */
  feature: float64s(),
  deque: new WorkingArray((n) => new Int32Array(n)),
  kept: new WorkingArray((n) => new Int32Array(n)),
  missing: new WorkingArray((n) => new Uint8Array(n)),
}));

type FeatureWork = ReturnType<typeof FEATURE_WORK.borrow>;

export interface BuiltFeatures {
  /** The features (scaled when a scaling was given), one row per scored table row. */
  matrix: FeatureMatrix;
  /** With the scaling 'fit': the statistics computed from these rows' features, which the matrix is scaled by. */
  scaling: { means: Float64Array; scales: Float64Array } | undefined;
  /** One human-readable name per matrix column, e.g. "memory_free_mb (lag 1)". */
  featureNames: string[];
  /** Per matrix column: index of the metric column it came from, -1 for time features. */
  sourceColumn: Int32Array;
  /** Per matrix row: its row in the table. */
  rowIndex: Int32Array;
  /** Table rows without enough history for the lags / window (no matrix row). */
  warmupRows: number[];
  /** Table rows with a missing (NaN) metric (no matrix row). */
  missingRows: number[];
  /** Which time features are in ('auto' resolved against this table's span). */
  seasonality: Seasonality;
}

/**
 * Builds the features of every table row that has complete history.
 * @param options resolved options (resolveFeatureOptions); a trained detector passes its stored options with
 *   `seasonality` already resolved (a Seasonality), so scoring data gets the same columns as the training data
 * @throws EngineInputError when the table is malformed (see validateTable)
 */
export function buildFeatures(table: SeriesTable, options: FeatureBuildOptions): BuiltFeatures {
  return runSteps(buildFeatureSteps(table, options));
}

/**
 * buildFeatures in steps: a generator that pauses (yields) after each feature column, and returns exactly what
 * buildFeatures returns. For hosts that must give their thread back within a bounded time (a browser's main
 * thread): they call next() until done, doing other work between calls.
 */
export function* buildFeatureSteps(
  table: SeriesTable,
  options: FeatureBuildOptions,
  /** Where the matrix's values go (every entry is written) [a new array]. */
  matrixValues: (length: number) => Float32Array = (length) => new Float32Array(length),
  /** How the features are scaled: a fitted scaler's statistics, 'fit' (from these rows), or not at all [not]. */
  scaling?: FeatureScaling | 'fit'
): Generator<void, BuiltFeatures> {
  const { seasonality, plan } = checkedPlan(table, options);
  // The thread's working arrays while no other build has them, given back however this generator ends (run to
  // the end, thrown out of, or closed by return()).
  const work = FEATURE_WORK.borrow();
  try {
    return yield* buildWith(table, options, seasonality, plan, work, matrixValues, scaling);
  } finally {
    FEATURE_WORK.giveBack(work);
  }
}

function* buildWith(
  table: SeriesTable,
  options: FeatureBuildOptions,
  seasonality: Seasonality,
  plan: FeaturePlan,
  work: FeatureWork,
  matrixValues: (length: number) => Float32Array,
  scaling: FeatureScaling | 'fit' | undefined
): Generator<void, BuiltFeatures> {
  const { keptRows, missingRows } = splitMissingRows(table, work);
  const warmupCount = Math.min(plan.warmup, keptRows.length);
  const rows = keptRows.length - warmupCount;
  const cols = plan.features.length;
  const values = matrixValues(rows * cols);
  const fitted =
    scaling === 'fit' ? { means: new Float64Array(cols), scales: new Float64Array(cols).fill(1) } : undefined;
  const statistics: FeatureScaling | undefined = fitted ?? (scaling === 'fit' ? undefined : scaling);
  const columns = new MatrixColumnWriter(values, rows, cols, warmupCount, work.feature.take(rows), fitted, statistics);
  let compactColumn = -1;
  let compact: Float64Array = new Float64Array(0);
  // The column's rolling mean and std from one pass (what rollingMean and rollingStd each compute alone).
  let moments: { mean: Float64Array; std: Float64Array } | undefined;
  let calendar: TimeFeatures | undefined;
  for (let index = 0; index < plan.features.length; index++) {
    const feature = plan.features[index];
    if (feature.column < 0) {
      calendar ??= timeFeatures(
        gather(table.timestamps, keptRows, work.timestamps.take(keptRows.length)),
        (part, length) => work.calendar[part].take(length)
      );
      columns.scatter(index, calendar[feature.kind as 'hourSin' | 'hourCos' | 'weekdaySin' | 'weekdayCos']);
    } else {
      if (feature.column !== compactColumn) {
        compactColumn = feature.column;
        compact = gather(table.columns[feature.column].values, keptRows, work.compact.take(keptRows.length));
        moments = undefined;
      }
      if (feature.kind === 'rollingMean' || feature.kind === 'rollingStd') {
        moments ??= momentsAt(compact, options.window, undefined, {
          mean: work.mean.take(compact.length),
          std: work.std.take(compact.length),
        });
        columns.scatter(index, feature.kind === 'rollingMean' ? moments.mean : moments.std);
      } else if (feature.kind === 'value' || feature.kind === 'lag' || feature.kind === 'difference') {
        columns.scatterShifted(index, compact, feature.kind, feature.order);
      } else {
        columns.scatter(index, rollingExtremumSeries(feature.kind, compact, options.window, work));
      }
    }
    yield;
  }

  return {
    matrix: { rows, cols, values },
    // Present when undefined too: one object shape for builds that fit and builds that do not, which scoreResult
    // reads alike (a model's training and its refreshes).
    scaling: fitted,
    featureNames: plan.features.map((feature) => feature.name),
    sourceColumn: Int32Array.from(plan.features, (feature) => feature.column),
    rowIndex: keptRows.slice(warmupCount),
    warmupRows: Array.from(keptRows.subarray(0, warmupCount)),
    missingRows,
    seasonality,
  };
}

/**
 * Writes buildWith's feature columns into the matrix: each feature's values over the rows (float64), then into its
 * matrix column (scaled, as float32). A class, not closures made per build: V8 inlines a closure as that one closure,
 * so each later build's new closures left the optimised code ("wrong call target", "wrong map") and the rest of the
 * column ran unoptimised, once per model and refresh in a panel (Chromium's --trace-deopt).
 */
class MatrixColumnWriter {
  constructor(
    private readonly values: Float32Array,
    private readonly rows: number,
    private readonly cols: number,
    /** Kept rows before the first written one (the features' warm-up). */
    private readonly warmupCount: number,
    /** One feature's values over the rows written, before they go into the matrix. */
    private readonly feature64: Float64Array,
    /** With the scaling 'fit': filled with each column's statistics as it is written. */
    private readonly fitted: { means: Float64Array; scales: Float64Array } | undefined,
    /** What the matrix is scaled by (`fitted`, or a given scaling), if anything. */
    private readonly statistics: FeatureScaling | undefined
  ) {}

  /** A series over the kept rows, skipping the warm-up. */
  scatter(feature: number, series: Float64Array): void {
    shiftedRowsOf(series, this.warmupCount, this.rows, 0, false, this.feature64);
    this.write(feature);
  }

  /**
   * The value, a lag or a difference straight from the kept observations (no series of its own: the same doubles
   * lag() and difference() give at these rows, which all have `order` observations before them: the warm-up).
   */
  scatterShifted(feature: number, series: Float64Array, kind: FeatureKind, order: number): void {
    shiftedRowsOf(
      series,
      this.warmupCount,
      this.rows,
      kind === 'value' ? 0 : order,
      kind === 'difference',
      this.feature64
    );
    this.write(feature);
  }

  /** feature64 into matrix column `feature`, scaled when there are statistics. */
  private write(feature: number): void {
    const { values, rows, cols, feature64, fitted, statistics } = this;
    if (fitted && rows > 0) {
      const { mean, scale } = columnStatistics(feature64, rows);
      fitted.means[feature] = mean;
      fitted.scales[feature] = scale;
    }
    if (statistics) {
      // scaledWith, its statistics read once per feature rather than per row.
      const mean = statistics.means[feature];
      const scale = statistics.scales[feature];
      if (statistics.roundFirst) {
        for (let r = 0, offset = feature; r < rows; r++, offset += cols) {
          values[offset] = scaledFeature(Math.fround(feature64[r]), mean, scale);
        }
      } else {
        for (let r = 0, offset = feature; r < rows; r++, offset += cols) {
          values[offset] = scaledFeature(feature64[r], mean, scale);
        }
      }
    } else {
      for (let r = 0, offset = feature; r < rows; r++, offset += cols) {
        values[offset] = feature64[r];
      }
    }
  }
}

/**
 * The value `shift` rows back (a lag; 0: the value itself), or the difference from it, for each of `rows` kept rows
 * after the warm-up, into `out`. The row loops are functions of their own, not in the writer's methods: a method
 * compiled on stack replacement inside its loop was left again after it on every later call ("wrong map" on the
 * writer, 420 times in a 12-refresh panel run: Chromium's --trace-deopt).
 */
function shiftedRowsOf(
  series: Float64Array,
  warmupCount: number,
  rows: number,
  shift: number,
  difference: boolean,
  out: Float64Array
): void {
  if (difference) {
    for (let r = 0; r < rows; r++) {
      // Clamped: the difference of two values in the float32 range can be twice its limit.
      out[r] = clampToFloat32(series[r + warmupCount] - series[r + warmupCount - shift]);
    }
  } else {
    for (let r = 0; r < rows; r++) {
      out[r] = series[r + warmupCount - shift];
    }
  }
}

/**
 * The feature rows buildFeatures gives the table rows `tableRows` (ascending), without building the other rows':
 * lags, differences and rolling extremes are read at each row, the rolling mean and std come from one pass of the
 * same RollingMoments up to the last row asked for (its results depend on every value before), so every value is
 * the very double buildFeatures computes. For hosts that explain a few rows of a long table.
 * @returns the rows' features (row k of the matrix is tableRows[k]), or in `incomplete` the first row asked for
 *   that buildFeatures gives no features (warm-up or a missing value)
 * @throws EngineInputError when the table is malformed (see validateTable)
 */
export function buildFeatureRows(
  table: SeriesTable,
  options: FeatureBuildOptions,
  tableRows: ArrayLike<number>,
  /** A fitted scaler's statistics: the rows' features scaled as buildFeatureSteps scales them [unscaled]. */
  scaling?: FeatureScaling
): { matrix: FeatureMatrix; incomplete?: number } {
  // Synchronous: the thread's working arrays (FEATURE_WORK) for the kept rows and the gathered column, given back
  // before it returns.
  const work = FEATURE_WORK.borrow();
  try {
    const { plan } = checkedPlan(table, options);
    const { keptRows } = splitMissingRows(table, work);
    const cols = plan.features.length;
    const rows = tableRows.length;
    const values = new Float32Array(rows * cols);
    // Position of each row among the kept rows.
    const positions = new Int32Array(rows);
    for (let k = 0, at = 0; k < rows; k++) {
      while (at < keptRows.length && keptRows[at] < tableRows[k]) {
        at++;
      }
      if (at === keptRows.length || keptRows[at] !== tableRows[k] || at < Math.min(plan.warmup, keptRows.length)) {
        return { matrix: { rows: 0, cols, values: new Float32Array(0) }, incomplete: tableRows[k] };
      }
      positions[k] = at;
    }
    const window = options.window;
    const calendar = plan.features.some((feature) => feature.column < 0)
      ? timeFeatures(
          gather(
            table.timestamps,
            Int32Array.from(positions, (position) => keptRows[position])
          )
        )
      : undefined;
    let compactColumn = -1;
    let compact: Float64Array = new Float64Array(0);
    let moments: { mean: Float64Array; std: Float64Array } | undefined;
    for (let index = 0; index < cols; index++) {
      const feature = plan.features[index];
      if (feature.column < 0) {
        const series = calendar![feature.kind as 'hourSin' | 'hourCos' | 'weekdaySin' | 'weekdayCos'];
        for (let k = 0; k < rows; k++) {
          values[k * cols + index] = scaledIf(scaling, index, series[k]);
        }
        continue;
      }
      if (feature.column !== compactColumn) {
        compactColumn = feature.column;
        compact = gather(table.columns[feature.column].values, keptRows, work.compact.take(keptRows.length));
        moments = undefined;
      }
      if ((feature.kind === 'rollingMean' || feature.kind === 'rollingStd') && moments === undefined) {
        moments = momentsAt(compact, window, positions);
      }
      for (let k = 0; k < rows; k++) {
        const value = metricFeatureAt(feature.kind, compact, positions[k], feature.order, window, moments, k);
        values[k * cols + index] = scaledIf(scaling, index, value);
      }
    }
    return { matrix: { rows, cols, values } };
  } finally {
    FEATURE_WORK.giveBack(work);
  }
}

/** Feature `index`'s value x as the matrix holds it: scaled by `scaling` when given (scaledWith), else x. */
function scaledIf(scaling: FeatureScaling | undefined, index: number, x: number): number {
  return scaling ? scaledWith(scaling, index, x) : x;
}

/** What buildFeatureSteps writes for a metric feature at `position` of the kept observations. */
function metricFeatureAt(
  kind: FeatureKind,
  values: Float64Array,
  position: number,
  order: number,
  window: number,
  moments: { mean: Float64Array; std: Float64Array } | undefined,
  k: number
): number {
  switch (kind) {
    case 'value':
      return values[position];
    case 'lag':
      return position >= order ? values[position - order] : NaN;
    case 'difference':
      return position >= order ? clampToFloat32(values[position] - values[position - order]) : NaN;
    case 'rollingMean':
      return moments!.mean[k];
    case 'rollingStd':
      return moments!.std[k];
    case 'rollingMin':
    case 'rollingMax':
      return extremumAt(values, position, window, kind === 'rollingMin');
    default:
      throw new Error(`not a metric feature: ${kind}`);
  }
}

/**
 * rollingExtremum's value at `position` of a series without NaN: among equal extremes the newest (its deque drops
 * an older value the new one equals), so that of 0 and -0 the same one is taken.
 */
function extremumAt(values: Float64Array, position: number, window: number, minimum: boolean): number {
  const start = position - window + 1;
  if (start < 0) {
    return NaN;
  }
  let best = values[start];
  for (let i = start + 1; i <= position; i++) {
    if (minimum ? values[i] <= best : values[i] >= best) {
      best = values[i];
    }
  }
  return best;
}

/**
 * rollingMean and rollingStd at `positions` (ascending) [every position]: one RollingMoments fed the same values as
 * each of them feeds its own, so the same doubles, the std held to the float32 range as a feature.
 */
function momentsAt(
  values: Float64Array,
  window: number,
  positions?: Int32Array,
  /** Where to write (every entry is written) [new arrays]. */
  out?: { mean: Float64Array; std: Float64Array }
): { mean: Float64Array; std: Float64Array } {
  const count = positions?.length ?? values.length;
  const moments = new RollingMoments(window);
  const mean = out?.mean ?? new Float64Array(count);
  const std = out?.std ?? new Float64Array(count);
  let pushed = 0;
  for (let k = 0; k < count; k++) {
    const position = positions === undefined ? k : positions[k];
    while (pushed <= position) {
      moments.push(values[pushed++]);
    }
    moments.readInto(mean, std, k);
    // ddof = 1 puts the std of values in range above their magnitude (±3.3e38 alternating: 3.45e38).
    std[k] = clampToFloat32(std[k]);
  }
  return { mean, std };
}

/** Validates the table; its seasonality ('auto' resolved) and feature plan. */
function checkedPlan(
  table: SeriesTable,
  options: FeatureBuildOptions
): { seasonality: Seasonality; plan: FeaturePlan } {
  validateTable(table);
  const seasonality = resolveSeasonality(table.timestamps, options);
  const plan = planFeatures(
    table.columns.map((column) => column.name),
    options,
    seasonality
  );
  return { seasonality, plan };
}

/**
 * The rolling min or max over the kept observations of a column (value, lags and differences: scatterShifted; the
 * rolling mean and std: momentsAt).
 */
function rollingExtremumSeries(
  kind: FeatureKind,
  values: Float64Array,
  window: number,
  work: FeatureWork
): Float64Array {
  if (kind !== 'rollingMin' && kind !== 'rollingMax') {
    throw new Error(`not a rolling extremum: ${kind}`);
  }
  const extremum = kind === 'rollingMin' ? 'min' : 'max';
  return rollingExtremum(values, window, extremum, work.extremum.take(values.length), work.deque.take(values.length));
}

/** Rows where every metric is present (a view of `work`'s array), and the others. */
function splitMissingRows(table: SeriesTable, work: FeatureWork): { keptRows: Int32Array; missingRows: number[] } {
  const n = table.timestamps.length;
  const isMissing = work.missing.take(n).fill(0);
  for (const { values } of table.columns) {
    for (let row = 0; row < n; row++) {
      if (Number.isNaN(values[row])) {
        isMissing[row] = 1;
      }
    }
  }
  const kept = work.kept.take(n);
  let keptCount = 0;
  const missingRows: number[] = [];
  for (let row = 0; row < n; row++) {
    if (isMissing[row]) {
      missingRows.push(row);
    } else {
      kept[keptCount++] = row;
    }
  }
  return { keptRows: kept.subarray(0, keptCount), missingRows };
}

function gather(source: Float64Array, rows: Int32Array, out = new Float64Array(rows.length)): Float64Array {
  for (let i = 0; i < rows.length; i++) {
    out[i] = source[rows[i]];
  }
  return out;
}
