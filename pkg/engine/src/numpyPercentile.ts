import { createRandom } from './random';

/**
 * numpy.percentile(values, percent) with the default 'linear' method, replicating numpy's floating-point steps
 * (virtual index (n - 1) * q, and its two-sided lerp) so that the result matches numpy to the last bit.
 *
 * Only the two order statistics around the virtual index are needed, so they are selected (quickselect, O(n))
 * instead of sorting the whole array: a threshold over 10 000 training scores otherwise costs a sort, paid per model
 * (a panel of 50 series trains 50). The values selected are the ones a sort puts there, bit for bit. Inputs a
 * comparison by `<` cannot order as the sort does (NaN, which the sort puts last; -0 and +0, which it orders) are
 * sorted, as is an input on which the selection degrades (more passes than a sort would cost); training scores hold
 * neither NaN nor zero. `values` is reordered.
 */
export function numpyPercentileInPlace(
  values: Float64Array,
  percent: number,
  /** Partitioning passes before the sort answers instead [2 log2(n) + 8]. */
  maxPasses = 2 * Math.ceil(Math.log2(values.length + 1)) + 8
): number {
  const n = values.length;
  const virtualIndex = (n - 1) * (percent / 100);
  const below = Math.min(Math.floor(virtualIndex), n - 1);
  let a: number;
  let b: number;
  if (!hasNaNOrZero(values) && selectKth(values, below, maxPasses)) {
    // Every entry right of `below` is now >= values[below]: the next order statistic is their minimum.
    a = values[below];
    b = below + 1 < n ? minOf(values, below + 1, n) : a;
  } else {
    values.sort();
    a = values[below];
    b = values[Math.min(below + 1, n - 1)];
  }
  if (virtualIndex >= n - 1) {
    return b;
  }
  const gamma = virtualIndex - below;
  const difference = b - a;
  return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
}

function hasNaNOrZero(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value !== value || value === 0) {
      return true;
    }
  }
  return false;
}

function minOf(values: Float64Array, from: number, to: number): number {
  let min = values[from];
  for (let i = from + 1; i < to; i++) {
    if (values[i] < min) {
      min = values[i];
    }
  }
  return min;
}

/**
 * Reorders `values` (no NaN, no zero) so that values[k] is its k-th smallest (from 0), with nothing larger before it
 * and nothing smaller after it: Hoare's selection, the pivot the median of three entries drawn at random (by a fixed
 * generator: the pivots only decide the speed, never the result). Fixed candidates (first, middle, last entry) can be
 * defeated by an order: an organ-pipe order of 10 000 scores took 41 passes at the median with them, 12-25 elsewhere.
 * Gives up (false, `values` reordered but whole) after `maxPasses` passes: the sort then answers.
 */
function selectKth(values: Float64Array, k: number, maxPasses: number): boolean {
  let lo = 0;
  let hi = values.length - 1;
  let passesLeft = maxPasses;
  const random = createRandom(0); // the engine's seeded generator: the same pivots on every run and host
  while (hi > lo) {
    if (passesLeft-- === 0) {
      return false;
    }
    const span = hi - lo + 1;
    const x = values[lo + random.nextInt(span)];
    const y = values[lo + random.nextInt(span)];
    const z = values[lo + random.nextInt(span)];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) {
        i++;
      }
      while (values[j] > pivot) {
        j--;
      }
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    // [lo, j] <= pivot <= [i, hi], and entries strictly between j and i equal the pivot.
    if (k <= j) {
      hi = j;
    } else if (k >= i) {
      lo = i;
    } else {
      return true;
    }
  }
  return true;
}

function swap(values: Float64Array, a: number, b: number): void {
  const t = values[a];
  values[a] = values[b];
  values[b] = t;
}
