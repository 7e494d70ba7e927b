import { requireInteger } from './requireInteger';

/**
 * Minimum or maximum over the last `window` values with a monotonic deque, O(n): the deque holds the indices of
 * the values that can still become the extremum of a later window, so every index enters and leaves it once.
 * pandas semantics with `min_periods = window`: NaN for the first `window - 1` positions and wherever the window
 * holds a NaN. Among equal values the newest is kept, so the result does not depend on where the series starts.
 */
export function rollingExtremum(
  values: Float64Array,
  window: number,
  extremum: 'min' | 'max',
  /** Where to write (every entry is written) [a new array]; the deque's working space [a new array]. */
  out: Float64Array = new Float64Array(values.length),
  deque: Int32Array = new Int32Array(values.length)
): Float64Array {
  requireInteger('window', window, 1);
  const n = values.length;
  let head = 0;
  let tail = 0;
  let newestNaN = -1;
  const takeMinimum = extremum === 'min';
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (Number.isNaN(value)) {
      newestNaN = i;
    } else {
      // Older values that the new one beats (or equals) can never be the extremum again.
      if (takeMinimum) {
        while (tail > head && values[deque[tail - 1]] >= value) {
          tail--;
        }
      } else {
        while (tail > head && values[deque[tail - 1]] <= value) {
          tail--;
        }
      }
      deque[tail++] = i;
    }
    const windowStart = i - window + 1;
    while (tail > head && deque[head] < windowStart) {
      head++;
    }
    out[i] = windowStart >= 0 && newestNaN < windowStart ? values[deque[head]] : NaN;
  }
  return out;
}
