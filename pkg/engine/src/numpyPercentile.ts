/**
 * numpy.percentile(values, percent) with the default 'linear' method, replicating numpy's floating-point steps
 * (virtual index (n - 1) * q, and its two-sided lerp) so that the result matches numpy to the last bit.
 *
 * Only the two order statistics around the virtual index are needed, so they are selected (quickselect, O(n))
 * instead of sorting the whole array: a threshold over 10 000 training scores otherwise costs a sort, paid per model
 * (a panel of 50 series trains 50). The values selected are the ones a sort puts there, so the result is the same
 * (-0 and +0, which `<` cannot tell apart, may swap: equal numbers either way). `values` is reordered.
 */
export function numpyPercentileInPlace(values: Float64Array, percent: number): number {
  const n = values.length;
  const virtualIndex = (n - 1) * (percent / 100);
  const below = Math.min(Math.floor(virtualIndex), n - 1);
  let a: number;
  let b: number;
  if (hasNaN(values)) {
    values.sort(); // NaN last, as numpy's sort: selection by `<` cannot place NaN
    a = values[below];
    b = values[Math.min(below + 1, n - 1)];
  } else {
    selectKth(values, below);
    // Every entry right of `below` is now >= values[below]: the next order statistic is their minimum.
    a = values[below];
    b = below + 1 < n ? minOf(values, below + 1, n) : a;
  }
  if (virtualIndex >= n - 1) {
    return b;
  }
  const gamma = virtualIndex - below;
  const difference = b - a;
  return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
}

function hasNaN(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
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
 * Reorders `values` (no NaN) so that values[k] is its k-th smallest (from 0), with nothing larger before it and
 * nothing smaller after it: Hoare's selection, median-of-three pivots (nearly sorted input stays linear).
 */
function selectKth(values: Float64Array, k: number): void {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const mid = lo + ((hi - lo) >> 1);
    if (values[mid] < values[lo]) {
      swap(values, mid, lo);
    }
    if (values[hi] < values[lo]) {
      swap(values, hi, lo);
    }
    if (values[hi] < values[mid]) {
      swap(values, hi, mid);
    }
    const pivot = values[mid];
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
      return;
    }
  }
}

function swap(values: Float64Array, a: number, b: number): void {
  const t = values[a];
  values[a] = values[b];
  values[b] = t;
}
