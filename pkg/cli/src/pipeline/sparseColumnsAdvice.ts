import { someNames } from './someNames';

/**
 * When metrics without a value in most rows are what leaves too few complete ones to train on (a metric added
 * part-way through an export, a key only some records have), they are named, with the --columns that leaves them
 * out: more rows would not help (a review: "raise --train-fraction" for a column empty in the first 800 of 2 000
 * rows). Undefined when no metric is missing in most of the rows, or every one is.
 * @param missingPerMetric per metric (`metrics`' order), the rows without a value in it
 * @param rows the rows counted ("of them" in the advice)
 */
export function sparseColumnsAdvice(
  metrics: readonly string[],
  missingPerMetric: ArrayLike<number>,
  rows: number
): string | undefined {
  const sparse = metrics.filter((_, c) => missingPerMetric[c] * 2 > rows);
  const others = metrics.filter((name) => !sparse.includes(name));
  if (sparse.length === 0 || others.length === 0) {
    return undefined;
  }
  const missing = (name: string) => missingPerMetric[metrics.indexOf(name)];
  const named =
    sparse.length === 1
      ? `"${sparse[0]}" has no value in ${missing(sparse[0])} of them`
      : `${someNames(sparse)} have no value in ${sparse.map(missing).join(', ')} of them`;
  return `${named}: leave ${sparse.length === 1 ? 'it' : 'them'} out with --columns ${others.join(',')}`;
}
