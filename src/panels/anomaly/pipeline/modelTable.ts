import { type Alignment, type SeriesTable, alignOnStep, commonStep } from '@telemetry-analyzer/engine';
import type { SortedSeries } from './seriesData';

/**
 * A model's table: its one series as it is, or its series aligned on a common step (the engine's alignOnStep, which
 * the proxy joins a group's series with too).
 * @param columns the model's columns, in the order of `sorted`
 * @param intervalMs the query's interval: the grid is at least this coarse
 * @param stepMs the grid's step, when another table of the model (its visible rows) already chose it
 */
export function modelTable(
  columns: ReadonlyArray<{ name: string }>,
  sorted: SortedSeries[],
  intervalMs: number,
  stepMs?: number
): { table: SeriesTable; alignment?: Alignment } {
  if (columns.length === 1) {
    return {
      table: { timestamps: sorted[0].timestamps, columns: [{ name: columns[0].name, values: sorted[0].values }] },
    };
  }
  return alignOnStep(
    sorted,
    columns.map((c) => c.name),
    stepMs ?? commonStep(sorted, intervalMs)
  );
}
