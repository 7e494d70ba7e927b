import { rollingExtremum } from './rollingExtremum';

/**
 * Maximum over the last `window` values, like pandas `Series.rolling(window).max()` with its default
 * `min_periods = window` (NaN until the window is full and wherever it holds a NaN). O(n), monotonic deque.
 */
export function rollingMax(values: Float64Array, window: number): Float64Array {
  return rollingExtremum(values, window, 'max');
}
