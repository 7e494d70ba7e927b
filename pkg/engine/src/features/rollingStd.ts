import { RollingMoments } from './rollingMoments';

/**
 * Sample standard deviation (ddof = 1, divisor window - 1, as pandas' default; NOT the population std) over the
 * last `window` values, like pandas `Series.rolling(window).std()` with its default `min_periods = window`:
 * NaN for the first `window - 1` positions, wherever the window holds a NaN, and everywhere for window 1.
 * O(n) with Welford's add/remove and periodic recomputes (see RollingMoments for the numerics).
 */
export function rollingStd(values: Float64Array, window: number): Float64Array {
  const moments = new RollingMoments(window);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    moments.push(values[i]);
    out[i] = moments.std();
  }
  return out;
}
