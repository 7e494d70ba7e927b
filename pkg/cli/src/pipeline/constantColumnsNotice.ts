/**
 * Constant columns over the rows a model trains on (batch: the training rows; online: the warm-up rows its first
 * model trains on). Such a column is kept, as scikit-learn keeps it (no tree splits on it), but a change in it goes
 * unnoticed, so every mode says so; a table of nothing but constant columns has nothing to learn from.
 */
import { constantColumns, type SeriesTable } from '@telemetry-analyzer/engine';

export interface ConstantColumnsNotice {
  /** The first constant column, for a location in the header. */
  column: string;
  /** Every column is constant: batch training refuses the table. */
  every: boolean;
  /** What to say, without the group (callers put `group "x": ` before it). */
  text: string;
}

/** What to say about the constant columns of `table` (the rows a model trains on), undefined when none is. */
export function constantColumnsNotice(table: SeriesTable): ConstantColumnsNotice | undefined {
  const constant = constantColumns(table);
  if (constant.length === 0) {
    return undefined;
  }
  const names = constant.map((name) => `"${name}"`).join(', ');
  if (constant.length === table.columns.length) {
    const only = constant.length === 1 ? ` = ${table.columns[0].values[0]}` : '';
    return {
      column: constant[0],
      every: true,
      text:
        `every column is constant over the ${table.timestamps.length} training rows (${names}${only}): ` +
        'zero variance carries no information; train on a range where a column varies',
    };
  }
  return {
    column: constant[0],
    every: false,
    text:
      `column ${names} is constant over the training rows; the model cannot learn from it and will not notice ` +
      'when it changes (leave it out with --columns)',
  };
}
