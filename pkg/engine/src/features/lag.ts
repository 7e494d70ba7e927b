import { requireInteger } from './requireInteger';

/**
 * The series shifted by `k` positions, like pandas `Series.shift(k)`: `out[i] = values[i - k]`, NaN where
 * `i - k` falls outside the series. A negative `k` looks ahead (`shift(-1)` = next value).
 */
export function lag(values: Float64Array, k: number): Float64Array {
  requireInteger('lag k', k);
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const source = i - k;
    out[i] = source >= 0 && source < n ? values[source] : NaN;
  }
  return out;
}
