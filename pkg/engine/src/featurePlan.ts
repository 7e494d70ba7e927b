import { type FeatureOptions, resolveFeatureOptions } from './featureOptions';

const DAY_MS = 24 * 3_600_000;
/** 'auto' adds hour-of-day features from this span on: every hour of the day seen at least twice. */
const HOUR_OF_DAY_MIN_SPAN_MS = 2 * DAY_MS;
/** 'auto' adds day-of-week features from this span on: every weekday seen at least twice. */
const DAY_OF_WEEK_MIN_SPAN_MS = 14 * DAY_MS;

/** Which calendar features are in: the resolved `seasonality` option, stored with a trained detector. */
export interface Seasonality {
  hourOfDay: boolean;
  dayOfWeek: boolean;
}

/** Feature options as buildFeatures takes them: seasonality as asked ('auto' / boolean) or already resolved. */
export type FeatureBuildOptions = Omit<Required<FeatureOptions>, 'seasonality'> & {
  seasonality: FeatureOptions['seasonality'] | Seasonality;
};

/** What one column of the feature matrix holds. */
export type FeatureKind =
  | 'value'
  | 'lag'
  | 'difference'
  | 'rollingMean'
  | 'rollingStd'
  | 'rollingMin'
  | 'rollingMax'
  | 'hourSin'
  | 'hourCos'
  | 'weekdaySin'
  | 'weekdayCos';

export interface PlannedFeature {
  kind: FeatureKind;
  /** Index of the metric column it is computed from; -1 for time features. */
  column: number;
  /** The lag (for 'lag') or difference order (for 'difference'); 0 otherwise. */
  order: number;
  /** Human-readable name, e.g. "memory_free_mb (rolling mean 12)". */
  name: string;
}

/** The columns of the feature matrix, in order, and how much history they need. */
export interface FeaturePlan {
  features: PlannedFeature[];
  /** Observations a metric needs before its first complete feature row: max(lags, 1 for the difference, window - 1). */
  warmup: number;
  /** Which time features are in. */
  seasonality: Seasonality;
}

/**
 * Which calendar features to use: both for `true`, none for `false` and in raw mode, the stored decision when
 * already resolved, and for 'auto' each one only when the timestamps span long enough to have seen every value of
 * it at least twice: hour of day from 2 days on, day of week from 14 days on. With less, the forest would learn
 * the calendar rather than the metric: e.g. trained on 3 days, every row of a 4th weekday would look new and score
 * higher, whatever the metrics do.
 */
export function resolveSeasonality(timestamps: Float64Array, options: FeatureBuildOptions): Seasonality {
  const { raw, seasonality } = options;
  if (raw) {
    return { hourOfDay: false, dayOfWeek: false };
  }
  if (typeof seasonality === 'object') {
    return { hourOfDay: seasonality.hourOfDay, dayOfWeek: seasonality.dayOfWeek };
  }
  if (typeof seasonality === 'boolean') {
    return { hourOfDay: seasonality, dayOfWeek: seasonality };
  }
  const n = timestamps.length;
  const span = n > 1 ? timestamps[n - 1] - timestamps[0] : 0;
  return { hourOfDay: span >= HOUR_OF_DAY_MIN_SPAN_MS, dayOfWeek: span >= DAY_OF_WEEK_MIN_SPAN_MS };
}

/**
 * Lays out the feature matrix: per metric column its value, lags 1..lags, first difference and rolling
 * mean/std/min/max (as enabled), then the hour-of-day and day-of-week sin/cos as `seasonality` says.
 *
 * Epoch seconds and seconds since the first row are deliberately NOT features: rows being scored always lie
 * after the training range, so the forest would find every one of them "outside" on the time axis and score it
 * higher, whatever the metrics do.
 */
export function planFeatures(
  columnNames: readonly string[],
  options: FeatureBuildOptions,
  seasonality: Seasonality
): FeaturePlan {
  const features: PlannedFeature[] = [];
  const add = (kind: FeatureKind, column: number, order: number, name: string) =>
    features.push({ kind, column, order, name });
  if (options.raw) {
    columnNames.forEach((name, column) => add('value', column, 0, name));
    return { features, warmup: 0, seasonality: { hourOfDay: false, dayOfWeek: false } };
  }
  const { lags, window } = options;
  columnNames.forEach((name, column) => {
    add('value', column, 0, name);
    for (let k = 1; k <= lags; k++) {
      add('lag', column, k, `${name} (lag ${k})`);
    }
    if (options.differences) {
      add('difference', column, 1, `${name} (diff 1)`);
    }
    if (options.rolling) {
      add('rollingMean', column, 0, `${name} (rolling mean ${window})`);
      add('rollingStd', column, 0, `${name} (rolling std ${window})`);
      add('rollingMin', column, 0, `${name} (rolling min ${window})`);
      add('rollingMax', column, 0, `${name} (rolling max ${window})`);
    }
  });
  if (seasonality.hourOfDay) {
    add('hourSin', -1, 0, 'hour of day (sin)');
    add('hourCos', -1, 0, 'hour of day (cos)');
  }
  if (seasonality.dayOfWeek) {
    add('weekdaySin', -1, 0, 'day of week (sin)');
    add('weekdayCos', -1, 0, 'day of week (cos)');
  }
  const warmup = Math.max(lags, options.differences ? 1 : 0, options.rolling ? window - 1 : 0);
  return { features, warmup, seasonality };
}

/**
 * How many columns the feature matrix of `columnCount` metrics has at most (calendar features counted as if on):
 * what a host bounds before it builds one, since it grows with metrics x (lags + 6).
 */
export function maxFeatureColumns(columnCount: number, options: FeatureOptions = {}): number {
  const resolved = resolveFeatureOptions(options);
  const everySeason = { hourOfDay: true, dayOfWeek: true };
  return planFeatures(new Array<string>(columnCount).fill(''), { ...resolved, seasonality: everySeason }, everySeason)
    .features.length;
}
