/**
 * The first index in [0, length] for which `before(i)` is false (length when there is none), when it is true for every index below some point
 * and false from there on (a sorted array and a "still before the target" test): a binary search, log2(length)
 * calls. The searches over ascending times and rows of the panel and the query layer (score cache, fast-forward) are
 * all this one.
 */
export function partitionPoint(length: number, before: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** First index whose value is >= target in an ascending array. */
export function lowerBound(values: ArrayLike<number>, target: number): number {
  return partitionPoint(values.length, (i) => values[i] < target);
}
