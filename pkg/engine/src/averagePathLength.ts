/**
 * c(n): the average path length of an unsuccessful search in a binary search tree built from n points, i.e. the
 * expected depth at which an isolation tree isolates a point among n. It normalises path lengths into scores and
 * estimates the remaining depth below a leaf that still holds n training points.
 * Same formula and constants as sklearn's `_average_path_length` (sklearn/ensemble/_iforest.py):
 *   c(n) = 2 (ln(n - 1) + γ) - 2 (n - 1) / n  for n > 2,   c(2) = 1,   c(n) = 0 for n <= 1.
 */

import { log } from './deterministicMath';

/** The Euler–Mascheroni constant at double precision (numpy's `np.euler_gamma`). */
const EULER_GAMMA = 0.5772156649015329;

export function averagePathLength(n: number): number {
  if (n <= 1) {
    return 0;
  }
  if (n === 2) {
    return 1;
  }
  // Written term by term as sklearn does, so the rounding matches to the last bit or two; the engine's own log
  // (deterministicMath.ts) because Math.log differs in the last bit between JavaScript engines.
  return 2.0 * (log(n - 1.0) + EULER_GAMMA) - (2.0 * (n - 1.0)) / n;
}

/** c(0), c(1), …: grown on demand, shared by every forest (c depends on n alone). */
let table = new Float64Array(0);

/**
 * An array whose entry n is averagePathLength(n) (the same double) for n = 0..maxN at least: for loops that need c of
 * many leaf sizes. Shared: read it, never write to it.
 */
export function averagePathLengthTable(maxN: number): Float64Array {
  if (table.length <= maxN) {
    const grown = new Float64Array(Math.max(maxN + 1, 2 * table.length, 257));
    for (let n = 0; n < grown.length; n++) {
      grown[n] = averagePathLength(n);
    }
    table = grown;
  }
  return table;
}
