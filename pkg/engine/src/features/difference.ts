import { requireInteger } from './requireInteger';

/**
 * The `k`-th difference, like pandas `Series.diff(k)`: `out[i] = values[i] - values[i - k]`, NaN where `i - k`
 * falls outside the series or either value is NaN. `k` defaults to 1; a negative `k` subtracts a later value.
 */
export function difference(values: Float64Array, k = 1): Float64Array {
  requireInteger('difference k', k);
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const source = i - k;
    out[i] = source >= 0 && source < n ? values[i] - values[source] : NaN;
  }
  return out;
}
