import { RollingMoments } from './rollingMoments';

/**
 * Mean over the last `window` values, like pandas `Series.rolling(window).mean()` with its default
 * `min_periods = window`: NaN for the first `window - 1` positions and wherever the window holds a NaN.
 * O(n) with a compensated running sum (see RollingMoments for the numerics).
 */
export function rollingMean(values: Float64Array, window: number): Float64Array {
  const moments = new RollingMoments(window);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    moments.push(values[i]);
    out[i] = moments.mean();
  }
  return out;
}
