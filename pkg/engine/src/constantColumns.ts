import type { SeriesTable } from './types';

/**
 * The columns of `table` whose values (missing ones aside) are all equal, with at least two of them. The engine
 * trains on such columns as scikit-learn does (no tree splits on them), but a host should say so: the model will
 * not notice when such a column changes, and a table with nothing but constant columns has nothing to learn from.
 */
export function constantColumns(table: SeriesTable): string[] {
  return table.columns
    .filter(({ values }) => {
      let first = NaN;
      let seen = 0;
      for (const value of values) {
        if (Number.isNaN(value)) {
          continue;
        }
        if (seen++ === 0) {
          first = value;
        } else if (value !== first) {
          return false;
        }
      }
      return seen >= 2;
    })
    .map(({ name }) => name);
}
