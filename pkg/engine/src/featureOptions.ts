import { EngineInputError } from './engineInputError';

/** How a SeriesTable becomes the feature matrix the forest sees. Defaults in brackets. */
export interface FeatureOptions {
  /** [false] Use the metric columns as given: no engineered features, no time features, no scaling. */
  raw?: boolean;
  /** [1] Add lags 1..lags of every metric (0 = none). */
  lags?: number;
  /** [12] Rolling window, in points, of the rolling features. */
  window?: number;
  /** [true] Add rolling mean, std, min and max over `window` of every metric. */
  rolling?: boolean;
  /** [true] Add the first difference of every metric. */
  differences?: boolean;
  /** ['auto'] Add hour-of-day and day-of-week sin/cos; 'auto' = on when the data span at least 2 days. */
  seasonality?: 'auto' | boolean;
  /** [true] Standard-scale the features, fitted on the training rows only. */
  scale?: boolean;
}

export const DEFAULT_FEATURE_OPTIONS: Readonly<Required<FeatureOptions>> = Object.freeze({
  raw: false,
  lags: 1,
  window: 12,
  rolling: true,
  differences: true,
  seasonality: 'auto',
  scale: true,
});

/** Largest accepted lag count and window: far beyond telemetry use, small enough to keep the warm-up sane. */
const MAX_HISTORY = 100_000;

/**
 * Inclusive [min, max] of the integer feature options the engine accepts (hosts check their flags against these,
 * so a value out of range gets the same message at both ends). A window of 1 would make the rolling std undefined
 * (ddof = 1) and the other rolling features copies.
 */
export const FEATURE_INTEGER_LIMITS = Object.freeze({
  window: [2, MAX_HISTORY],
  lags: [0, MAX_HISTORY],
} as const);

/**
 * The options with defaults filled in and every value checked.
 * @throws EngineInputError with code 'invalid-option' naming the option and the accepted values
 */
export function resolveFeatureOptions(options: FeatureOptions = {}): Required<FeatureOptions> {
  const resolved = { ...DEFAULT_FEATURE_OPTIONS };
  for (const key of Object.keys(options) as Array<keyof FeatureOptions>) {
    if (!(key in DEFAULT_FEATURE_OPTIONS)) {
      invalid(`unknown feature option "${key}"; known: ${Object.keys(DEFAULT_FEATURE_OPTIONS).join(', ')}`);
    }
    if (options[key] !== undefined) {
      (resolved as Record<string, unknown>)[key] = options[key];
    }
  }
  for (const key of ['raw', 'rolling', 'differences', 'scale'] as const) {
    if (typeof resolved[key] !== 'boolean') {
      invalid(`feature option ${key} must be true or false, got ${JSON.stringify(resolved[key])}`);
    }
  }
  for (const key of ['lags', 'window'] as const) {
    const [min, max] = FEATURE_INTEGER_LIMITS[key];
    const value = resolved[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      invalid(`feature option ${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
  }
  if (resolved.seasonality !== 'auto' && typeof resolved.seasonality !== 'boolean') {
    invalid(`feature option seasonality must be 'auto', true or false, got ${JSON.stringify(resolved.seasonality)}`);
  }
  return resolved;
}

function invalid(message: string): never {
  throw new EngineInputError('invalid-option', message);
}
