import { sinCosOfTurns } from '../deterministicMath';

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
/** 1970-01-01, day 0 of the epoch, was a Thursday (JavaScript's getUTCDay() = 4). */
const EPOCH_WEEKDAY = 4;
/** The seven weekdays on the unit circle, computed once: the same doubles as sinCosOfTurns(weekday / 7) per row. */
const WEEKDAY_CIRCLE = Array.from({ length: 7 }, (_, weekday) => sinCosOfTurns(weekday / 7));

export interface TimeFeatures {
  /** Seconds since 1970-01-01T00:00:00Z. */
  epochSeconds: Float64Array;
  /** Seconds since the first timestamp. */
  relativeSeconds: Float64Array;
  /** Hour of day (UTC, fractional: 13:30 = 13.5) on the unit circle, so 23:59 and 00:00 are neighbours. */
  hourSin: Float64Array;
  hourCos: Float64Array;
  /** Day of week (UTC, 0 = Sunday .. 6 = Saturday as getUTCDay()) on the unit circle, so Saturday neighbours Sunday. */
  weekdaySin: Float64Array;
  weekdayCos: Float64Array;
}

/** Calendar features of epoch-millisecond timestamps, all in UTC so that every host computes the same values. */
export function timeFeatures(timestampsMs: Float64Array): TimeFeatures {
  const n = timestampsMs.length;
  const features: TimeFeatures = {
    epochSeconds: new Float64Array(n),
    relativeSeconds: new Float64Array(n),
    hourSin: new Float64Array(n),
    hourCos: new Float64Array(n),
    weekdaySin: new Float64Array(n),
    weekdayCos: new Float64Array(n),
  };
  const first = n > 0 ? timestampsMs[0] : 0;
  for (let i = 0; i < n; i++) {
    const ms = timestampsMs[i];
    const day = Math.floor(ms / MS_PER_DAY);
    const hour = (ms - day * MS_PER_DAY) / MS_PER_HOUR;
    const weekday = (((day + EPOCH_WEEKDAY) % 7) + 7) % 7;
    // sin/cos from deterministicMath: Math.sin/cos differ in the last bit between JavaScript engines.
    const hourCircle = sinCosOfTurns(hour / 24);
    const weekdayCircle = WEEKDAY_CIRCLE[weekday];
    features.epochSeconds[i] = ms / 1000;
    features.relativeSeconds[i] = (ms - first) / 1000;
    features.hourSin[i] = hourCircle.sin;
    features.hourCos[i] = hourCircle.cos;
    features.weekdaySin[i] = weekdayCircle.sin;
    features.weekdayCos[i] = weekdayCircle.cos;
  }
  return features;
}
