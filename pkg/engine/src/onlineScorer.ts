/**
 * Scoring a stream one row at a time, exactly as AnomalyDetector.score() scores the same rows in a batch.
 *
 * Each model keeps, per metric column, a ring of the last `warmup + 1` observations (enough for the lags, the
 * difference and the rolling min/max) and the running RollingMoments of the rolling mean/std. The batch path
 * (rollingMean/rollingStd) runs the same RollingMoments over the same observations, so the streamed scores are
 * bit-identical to score() on a table that starts where the stream started. (A stream started in the middle of a
 * table agrees after its own warm-up up to float rounding, since running sums depend on where they started.)
 *
 * As in buildFeatures, a row with a missing (NaN) metric is skipped before any feature sees it, and the first
 * `warmup` observations only fill the history. push() returns null for both.
 */
import type { DetectorModel, TrainedDetectorOptions } from './detector';
import { EngineInputError } from './engineInputError';
import { planFeatures, type FeaturePlan } from './featurePlan';
import { perSeriesRow } from './perSeriesRow';
import { rollingExtremum } from './features/rollingExtremum';
import { RollingMoments } from './features/rollingMoments';
import { scaledWith } from './features/standardScaler';
import { timeFeatures } from './features/timeFeatures';
import type { FeatureContribution } from './types';
import { clampToFloat32, describeTime, float32RangeProblem } from './validateTable';

export interface OnlineScore {
  score: number;
  /** score > the model's threshold. */
  isAnomaly: boolean;
  threshold: number;
  /** Features most responsible for the score, named, sorted by weight, descending. */
  contributions: FeatureContribution[];
  /** per-column mode: the metric this score is for. */
  column?: string;
}

export interface OnlineScorer {
  /** The metric columns push() expects, in this order. */
  readonly columns: string[];
  /**
   * Scores one row; `values` holds one value per column of `columns` (NaN = missing).
   * @returns null while the row cannot be scored (warm-up, or a missing value). In per-column mode: the row's
   *   result as perSeriesRow makes it (the highest column score, flagged when any column flags it, explained by
   *   the flagging column with the highest score), with that column in `column`, and every column's result (null
   *   while that column warms up or is missing) in `perColumn`.
   * @throws EngineInputError for a timestamp not after the previous one, a wrong number of values, or ±Infinity
   */
  push(timestampMs: number, values: Float64Array): (OnlineScore & { perColumn?: Array<OnlineScore | null> }) | null;
}

export function createOnlineScorer(
  columns: string[],
  options: TrainedDetectorOptions,
  models: DetectorModel[]
): OnlineScorer {
  const streams = models.map(
    (model) =>
      new ModelStream(
        model,
        model.columns.map((name) => columns.indexOf(name)),
        options
      )
  );
  let lastTimestamp = -Infinity;
  return {
    columns: [...columns],
    push(timestampMs, values) {
      checkRow(columns, lastTimestamp, timestampMs, values);
      lastTimestamp = timestampMs;
      const results = streams.map((stream) => stream.push(timestampMs, values));
      if (options.mode === 'multivariate') {
        return results[0];
      }
      const row = perSeriesRow(
        results.length,
        (c) => results[c]?.score ?? NaN,
        (c) => results[c]?.isAnomaly === true
      );
      if (row.explainedBy < 0) {
        return null;
      }
      return { ...results[row.explainedBy]!, score: row.score, isAnomaly: row.isAnomaly, perColumn: results };
    },
  };
}

/** The streaming state of one model. */
class ModelStream {
  private readonly plan: FeaturePlan;
  private readonly capacity: number;
  /** Per metric of the model: its last `capacity` observations, oldest overwritten first. */
  private readonly history: Float64Array[];
  private readonly moments: RollingMoments[];
  private observations = 0;
  private readonly row: Float32Array;

  constructor(
    private readonly model: DetectorModel,
    /** Per metric of the model: its index in the pushed values. */
    private readonly valueIndex: number[],
    private readonly options: TrainedDetectorOptions
  ) {
    const { features } = options;
    this.plan = planFeatures(model.columns, features, features.seasonality);
    this.capacity = this.plan.warmup + 1;
    this.history = model.columns.map(() => new Float64Array(this.capacity));
    this.moments = model.columns.map(() => new RollingMoments(features.window));
    this.row = new Float32Array(this.plan.features.length);
  }

  push(timestampMs: number, values: Float64Array): OnlineScore | null {
    if (this.valueIndex.some((index) => Number.isNaN(values[index]))) {
      return null; // missing: skipped before any feature sees it, as in buildFeatures
    }
    const slot = this.observations % this.capacity;
    this.valueIndex.forEach((index, metric) => {
      this.history[metric][slot] = values[index];
      this.moments[metric].push(values[index]);
    });
    this.observations++;
    if (this.observations <= this.plan.warmup) {
      return null;
    }
    this.writeFeatureRow(timestampMs);

    const matrix = { rows: 1, cols: this.row.length, values: this.row };
    const score = this.model.forest.anomalyScores(matrix)[0];
    const threshold = this.model.forest.threshold;
    const contributions = this.model.forest
      .explain(matrix, 0)
      .map((contribution) => ({ ...contribution, name: this.model.featureNames[contribution.feature] }));
    const result: OnlineScore = { score, isAnomaly: score > threshold, threshold, contributions };
    if (this.options.mode === 'per-column') {
      result.column = this.model.columns[0];
    }
    return result;
  }

  /** The newest observation's features, with the same arithmetic as the batch feature functions (and scaling). */
  private writeFeatureRow(timestampMs: number): void {
    const scaling = this.model.scaler?.statistics;
    const window = this.options.features.window;
    const { hourOfDay, dayOfWeek } = this.plan.seasonality;
    const calendar = hourOfDay || dayOfWeek ? timeFeatures(Float64Array.of(timestampMs)) : undefined;
    this.plan.features.forEach((feature, f) => {
      const metric = feature.column;
      let value: number;
      switch (feature.kind) {
        case 'value':
          value = this.back(metric, 0);
          break;
        case 'lag':
          value = this.back(metric, feature.order);
          break;
        case 'difference':
          value = clampToFloat32(this.back(metric, 0) - this.back(metric, feature.order)); // as buildFeatures
          break;
        case 'rollingMean':
          value = this.moments[metric].mean();
          break;
        case 'rollingStd':
          value = clampToFloat32(this.moments[metric].std()); // as buildFeatures
          break;
        case 'rollingMin':
        case 'rollingMax': {
          const recent = new Float64Array(window);
          for (let i = 0; i < window; i++) {
            recent[i] = this.back(metric, window - 1 - i);
          }
          value = rollingExtremum(recent, window, feature.kind === 'rollingMin' ? 'min' : 'max')[window - 1];
          break;
        }
        default:
          value = calendar![feature.kind][0];
      }
      this.row[f] = scaling ? scaledWith(scaling, f, value) : value;
    });
  }

  /** The observation `stepsBack` before the newest one of the model's `metric`-th column. */
  private back(metric: number, stepsBack: number): number {
    const slot = (this.observations - 1 - stepsBack) % this.capacity;
    return this.history[metric][slot];
  }
}

function checkRow(columns: string[], lastTimestamp: number, timestampMs: number, values: Float64Array): void {
  if (!Number.isFinite(timestampMs)) {
    throw new EngineInputError('not-finite', `push: the timestamp is ${timestampMs}`);
  }
  if (!(timestampMs > lastTimestamp)) {
    throw new EngineInputError(
      'unsorted',
      `push: timestamp ${describeTime(timestampMs)} is not after the previous one (${describeTime(lastTimestamp)}); ` +
        'rows must arrive in strictly increasing time order'
    );
  }
  if (values.length !== columns.length) {
    throw new EngineInputError(
      'length-mismatch',
      `push: got ${values.length} values, expected one per column (${columns.join(', ')})`
    );
  }
  values.forEach((value, i) => {
    if (value === Infinity || value === -Infinity) {
      throw new EngineInputError(
        'not-finite',
        `push: column '${columns[i]}' is ${value} at ${describeTime(timestampMs)}; use NaN for a missing value`,
        columns[i]
      );
    }
    const problem = Number.isNaN(value) ? undefined : float32RangeProblem(value);
    if (problem !== undefined) {
      throw new EngineInputError(
        'out-of-range',
        `push: column '${columns[i]}' is ${value} at ${describeTime(timestampMs)}, ${problem}`,
        columns[i]
      );
    }
  });
}
