import { detectorFormatError } from '../detectorFormatError';
import type { FeatureMatrix } from '../types';
import { clampToFloat32 } from '../validateTable';

/** JSON form of a fitted StandardScaler: one mean and one scale per feature column. */
export interface SerializedScaler {
  means: number[];
  scales: number[];
  /**
   * What the scaler is applied to: 'float64', a feature's own value (every model written since features are scaled
   * before the float32 rounding); absent in a model written before, which was fitted on features rounded to float32
   * first, and is applied to them so, so that it scores as it did.
   */
  appliedTo?: 'float64';
}

/** A fitted scaler's statistics, per feature column: the matrix holds (x - mean) / scale of feature x. */
export interface FeatureScaling {
  readonly means: ArrayLike<number>;
  readonly scales: ArrayLike<number>;
  /** A model written before features were scaled from float64: each feature is rounded to float32 first. */
  readonly roundFirst?: boolean;
}

/**
 * What the scaler makes of a feature's value x, in float64 before the single rounding to float32 the forest reads.
 * buildFeatures writes features this way (with a fitted scaler's statistics) straight from their float64 values:
 * rounding x to float32 first, then scaling, lost every variation below 1e-7 of the level (a disk of 1.2e12 bytes
 * changing by 10 kB read as constant: a CLI review), where pandas and scikit-learn scale the float64 values.
 */
export function scaledFeature(x: number, mean: number, scale: number): number {
  // Clamped: a far outlier in a tight series (1e36 over a scale of 1e-3), or a hand-edited scaler, overflows.
  return clampToFloat32((x - mean) / scale);
}

/** scaledFeature as `scaling` applies it to feature `index` (rounding x to float32 first for an earlier model's). */
export function scaledWith(scaling: FeatureScaling, index: number, x: number): number {
  return scaledFeature(scaling.roundFirst ? Math.fround(x) : x, scaling.means[index], scaling.scales[index]);
}

/**
 * The mean and scale of one feature's values[0..length) as fit() computes a column's (two passes in float64, the
 * population standard deviation, scale 1 for a column sklearn deems constant).
 */
export function columnStatistics(values: ArrayLike<number>, length: number): { mean: number; scale: number } {
  let sum = 0;
  for (let i = 0; i < length; i++) {
    sum += values[i];
  }
  const mean = sum / length;
  let squares = 0;
  for (let i = 0; i < length; i++) {
    const deviation = values[i] - mean;
    squares += deviation * deviation;
  }
  const variance = squares / length;
  // sklearn 1.2's StandardScaler: only columns its variance test deems constant get scale 1. That test is relative
  // to the column's own magnitude, so a series in tiny units (1e-15) is scaled like any other (no absolute cut-off:
  // _handle_zeros_in_scale applies `scale < 10 eps` only when given no constant mask).
  return { mean, scale: isConstantFeature(variance, mean, length) ? 1 : Math.sqrt(variance) };
}

/**
 * Standardises every column to (x - mean) / scale, like sklearn's StandardScaler: the population standard
 * deviation (ddof = 0) is the scale, and a column sklearn deems constant gets scale 1 (so it becomes all zeros
 * instead of dividing by zero). Fit it on the training rows only and apply it unchanged to the rows being
 * scored, otherwise a shift in the scored data would be scaled away before the forest could see it.
 */
export class StandardScaler {
  private means: Float64Array = new Float64Array(0);
  private scales: Float64Array = new Float64Array(0);
  private fitted = false;
  /** Fitted on and applied to features rounded to float32 first (a model written before: see SerializedScaler). */
  private roundFirst = false;

  /**
   * Learns mean and scale of every column from the given rows of `m` (all rows when `rows` is omitted).
   * Means and variances are computed in float64 with two passes.
   */
  fit(m: FeatureMatrix, rows?: ArrayLike<number>): this {
    const rowCount = rows === undefined ? m.rows : rows.length;
    if (rowCount < 1) {
      throw new RangeError('StandardScaler.fit: no rows to fit on');
    }
    const rowAt = (i: number): number => {
      const row = rows === undefined ? i : rows[i];
      if (!Number.isInteger(row) || row < 0 || row >= m.rows) {
        throw new RangeError(`StandardScaler.fit: row ${row} is outside the matrix's ${m.rows} rows`);
      }
      return row;
    };
    // Each column through columnStatistics (what buildFeatures fits with), gathered in row order.
    const cols = m.cols;
    const column = new Float64Array(rowCount);
    const means = new Float64Array(cols);
    const scales = new Float64Array(cols);
    const rowOffsets = Array.from({ length: rowCount }, (_, i) => rowAt(i) * cols);
    for (let c = 0; c < cols; c++) {
      for (let i = 0; i < rowCount; i++) {
        column[i] = m.values[rowOffsets[i] + c];
      }
      const { mean, scale } = columnStatistics(column, rowCount);
      means[c] = mean;
      scales[c] = scale;
    }
    this.means = means;
    this.scales = scales;
    this.fitted = true;
    // Fitted on a float32 matrix: the features it is fitted on were rounded to float32 first.
    this.roundFirst = true;
    return this;
  }

  /** The fitted means and scales (buildFeatures writes scaled features with them). */
  get statistics(): FeatureScaling {
    if (!this.fitted) {
      throw new Error('StandardScaler is not fitted: call fit() (or StandardScaler.fromJSON) first');
    }
    return { means: this.means, scales: this.scales, roundFirst: this.roundFirst };
  }

  /** A scaler fitted elsewhere (buildFeatures' 'fit': columnStatistics of every feature's float64 values). */
  static fromStatistics(statistics: FeatureScaling): StandardScaler {
    const scaler = new StandardScaler();
    scaler.means = Float64Array.from(statistics.means);
    scaler.scales = Float64Array.from(statistics.scales);
    scaler.fitted = true;
    return scaler;
  }

  /** A new float32 matrix with every column standardised by the fitted means and scales. */
  transform(m: FeatureMatrix): FeatureMatrix {
    this.checkTransformable(m);
    // transformInPlace on a copy: float32 to float32, so the copy holds m's values exactly.
    return this.transformInPlace({ rows: m.rows, cols: m.cols, values: m.values.slice() });
  }

  private checkTransformable(m: FeatureMatrix): void {
    if (!this.fitted) {
      throw new Error('StandardScaler is not fitted: call fit() (or StandardScaler.fromJSON) first');
    }
    if (m.cols !== this.means.length) {
      throw new RangeError(
        `StandardScaler.transform: the matrix has ${m.cols} columns, the scaler was fitted on ${this.means.length}`
      );
    }
  }

  /**
   * transform() into `m` itself, for a caller that owns `m` and needs only the standardised matrix: the very values
   * transform() gives, without a second matrix.
   */
  transformInPlace(m: FeatureMatrix): FeatureMatrix {
    this.checkTransformable(m);
    const { values } = m;
    for (let offset = 0; offset < values.length; offset += m.cols) {
      for (let c = 0; c < m.cols; c++) {
        values[offset + c] = scaledFeature(values[offset + c], this.means[c], this.scales[c]);
      }
    }
    return m;
  }

  toJSON(): SerializedScaler {
    if (!this.fitted) {
      throw new Error('StandardScaler is not fitted: nothing to serialise');
    }
    return {
      means: Array.from(this.means),
      scales: Array.from(this.scales),
      ...(this.roundFirst ? {} : { appliedTo: 'float64' as const }),
    };
  }

  /** @throws ModelFormatError unless `json` is what toJSON wrote: equally long arrays, finite means, positive scales */
  static fromJSON(json: unknown): StandardScaler {
    const candidate = json as Partial<SerializedScaler> | null;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      !Array.isArray(candidate.means) ||
      !Array.isArray(candidate.scales)
    ) {
      throw detectorFormatError('scaler: expected an object with arrays "means" and "scales"');
    }
    const { means, scales } = candidate;
    if (means.length !== scales.length) {
      throw detectorFormatError(`scaler: ${means.length} means but ${scales.length} scales`);
    }
    means.forEach((mean, c) => {
      if (typeof mean !== 'number' || !Number.isFinite(mean)) {
        throw detectorFormatError(`scaler: mean ${c} is ${JSON.stringify(mean)}, expected a finite number`);
      }
    });
    scales.forEach((scale, c) => {
      if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
        throw detectorFormatError(`scaler: scale ${c} is ${JSON.stringify(scale)}, expected a finite number > 0`);
      }
    });
    const scaler = new StandardScaler();
    scaler.means = Float64Array.from(means);
    scaler.scales = Float64Array.from(scales);
    scaler.fitted = true;
    scaler.roundFirst = candidate.appliedTo !== 'float64';
    return scaler;
  }
}

/**
 * sklearn 1.2's test for a constant column (`_is_constant_feature`): a variance within the rounding error its
 * computation can have is treated as zero, so that rounding noise is not blown up to unit variance.
 */
function isConstantFeature(variance: number, mean: number, rowCount: number): boolean {
  const eps = Number.EPSILON;
  const meanError = rowCount * mean * eps;
  const upperBound = rowCount * eps * variance + meanError * meanError; // not ** 2: Math.pow may differ by engine
  return variance <= upperBound;
}
