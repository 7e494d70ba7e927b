import { sinCosOfTurns } from '../deterministicMath';

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
/** 1970-01-01, day 0 of the epoch, was a Thursday (JavaScript's getUTCDay() = 4). */
const EPOCH_WEEKDAY = 4;
/** The seven weekdays on the unit circle, computed once: the same doubles as sinCosOfTurns(weekday / 7) per row. */
const WEEKDAY_CIRCLE = Array.from({ length: 7 }, (_, weekday) => sinCosOfTurns(weekday / 7));
/**
 * Slots of the hour-of-day memo (a prime): a series on a regular step meets the same times of day again every day
 * (1 440 of them at one minute), so their sin/cos, ~20 dependent divisions each, are looked up, not recomputed.
 */
const HOUR_MEMO_SLOTS = 4093;

export interface TimeFeatures {
  /** Hour of day (UTC, fractional: 13:30 = 13.5) on the unit circle, so 23:59 and 00:00 are neighbours. */
  hourSin: Float64Array;
  hourCos: Float64Array;
  /** Day of week (UTC, 0 = Sunday .. 6 = Saturday as getUTCDay()) on the unit circle, so Saturday neighbours Sunday. */
  weekdaySin: Float64Array;
  weekdayCos: Float64Array;
}

/**
 * Calendar features of epoch-millisecond timestamps, all in UTC so that every host computes the same values.
 * @param make where the arrays come from [new arrays]: every entry of the features is written, the memo is filled
 */
export function timeFeatures(
  timestampsMs: Float64Array,
  make: (part: keyof TimeFeatures | 'memo', length: number) => Float64Array = (_, length) => new Float64Array(length)
): TimeFeatures {
  const n = timestampsMs.length;
  const features: TimeFeatures = {
    hourSin: make('hourSin', n),
    hourCos: make('hourCos', n),
    weekdaySin: make('weekdaySin', n),
    weekdayCos: make('weekdayCos', n),
  };
  // Memo of the hour's circle by the time of day (ms): slot = time of day mod HOUR_MEMO_SLOTS; the key is the exact
  // time of day, so a hit gives the very doubles sinCosOfTurns would (NaN marks an empty slot). Made only for series
  // longer than the memo (shorter ones would not repay its allocation).
  const memo = n > HOUR_MEMO_SLOTS ? make('memo', 3 * HOUR_MEMO_SLOTS).fill(NaN) : undefined;
  for (let i = 0; i < n; i++) {
    const ms = timestampsMs[i];
    const day = Math.floor(ms / MS_PER_DAY);
    const msOfDay = ms - day * MS_PER_DAY;
    const weekday = (((day + EPOCH_WEEKDAY) % 7) + 7) % 7;
    let sin: number;
    let cos: number;
    const slot = memo ? 3 * (Math.floor(msOfDay) % HOUR_MEMO_SLOTS) : -1;
    if (memo && memo[slot] === msOfDay) {
      sin = memo[slot + 1];
      cos = memo[slot + 2];
    } else {
      // sin/cos from deterministicMath: Math.sin/cos differ in the last bit between JavaScript engines.
      const hourCircle = sinCosOfTurns(msOfDay / MS_PER_HOUR / 24);
      sin = hourCircle.sin;
      cos = hourCircle.cos;
      if (memo && msOfDay === msOfDay) {
        memo[slot] = msOfDay;
        memo[slot + 1] = sin;
        memo[slot + 2] = cos;
      }
    }
    // A timestamp that is not finite has no weekday (NaN): its circle is computed, NaN as before the table.
    const weekdayCircle = WEEKDAY_CIRCLE[weekday] ?? sinCosOfTurns(weekday / 7);
    features.hourSin[i] = sin;
    features.hourCos[i] = cos;
    features.weekdaySin[i] = weekdayCircle.sin;
    features.weekdayCos[i] = weekdayCircle.cos;
  }
  return features;
}
