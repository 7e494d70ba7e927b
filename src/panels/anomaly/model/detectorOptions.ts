import { type DetectorOptions, MIN_TRAINING_ROWS } from '@telemetry-analyzer/engine';
import type { AnomalyOptions } from '../types';

/** Panel options → engine options (contamination travels separately: it only re-thresholds). */
export function toDetectorOptions(o: AnomalyOptions): DetectorOptions {
  return {
    features: {
      window: o.window,
      lags: o.lags,
      seasonality: o.seasonality === 'auto' ? 'auto' : o.seasonality === 'on',
    },
    forest: { nEstimators: o.trees, maxSamples: o.maxSamples, seed: o.seed },
    mode: 'multivariate',
  };
}

/** Rows with missing history before the first scorable one: rolling window, lags, first difference (as the engine). */
export function warmupPoints(o: Pick<AnomalyOptions, 'window' | 'lags'>): number {
  return Math.max(o.window - 1, o.lags, 1);
}

/** Points a series needs before the panel trains on it (the engine's minimum), and the sentence telling the user why. */
export function requiredPoints(o: Pick<AnomalyOptions, 'window' | 'lags'>): { count: number; reason: string } {
  const warmup = warmupPoints(o);
  return {
    count: warmup + MIN_TRAINING_ROWS,
    reason:
      `${warmup} warm-up points (the larger of window − 1 = ${o.window - 1}, lags = ${o.lags} and 1 for the first ` +
      `difference) + ${MIN_TRAINING_ROWS} points to train on`,
  };
}
