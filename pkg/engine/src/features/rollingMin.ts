import { rollingExtremum } from './rollingExtremum';

/**
 * Minimum over the last `window` values, like pandas `Series.rolling(window).min()` with its default
 * `min_periods = window` (NaN until the window is full and wherever it holds a NaN). O(n), monotonic deque.
 */
export function rollingMin(values: Float64Array, window: number): Float64Array {
  return rollingExtremum(values, window, 'min');
}
