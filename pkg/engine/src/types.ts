/**
 * Shared types of the engine. Every host (CLI, proxy, panel worker) speaks these, so that the same data,
 * parameters and seed give the same scores everywhere.
 */

/** Row-major float32 matrix (sklearn casts X to float32 too): value of row r, column c is `values[r * cols + c]`. */
export interface FeatureMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float32Array;
}

/** Isolation Forest parameters, sklearn's names in camelCase. Defaults in brackets. */
export interface IsolationForestParams {
  /** Number of trees [100]. */
  nEstimators?: number;
  /** Rows drawn per tree: 'auto' = min(256, n), an integer count, or a fraction in (0, 1] of n ['auto']. */
  maxSamples?: 'auto' | number;
  /** Features drawn per tree: an integer count, or a fraction in (0, 1] of the columns [1.0]. */
  maxFeatures?: number;
  /** Draw rows with replacement [false]. */
  bootstrap?: boolean;
  /** Expected share of anomalies: 'auto' (threshold 0.5) or a number in (0, 0.5] ['auto']. */
  contamination?: 'auto' | number;
  /** Seed of the engine's own PRNG [42]. Same seed + same data => bit-identical scores in Node and browsers. */
  seed?: number;
}

/** One feature's share in isolating a point; larger = more responsible. */
export interface FeatureContribution {
  /** Column index in the feature matrix. */
  feature: number;
  /** Feature name when known (filled by the detector). */
  name?: string;
  /** Relative weight; the weights of one point sum to 1 over all features. */
  weight: number;
}

/** A time-ordered table of metric columns, as every host hands it to the engine. */
export interface SeriesTable {
  /** Epoch milliseconds, strictly increasing. */
  timestamps: Float64Array;
  /** Metric columns, each as long as `timestamps`; NaN marks a missing value. */
  columns: Array<{ name: string; values: Float64Array }>;
}
