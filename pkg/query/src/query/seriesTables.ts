/**
 * How fetched series become the engine's tables. Univariate: one model per series, one column. Multivariate: series
 * grouped by the `by` labels (all series form one group without `by`); each group is one table whose columns are the
 * group's series, named by their labels except the `by` labels (including `__name__`).
 */
import { alignOnStep, commonStep, type DetectionMode, type SeriesTable } from '@telemetry-analyzer/engine';
import { Series, labelSetSortKey, labelsKey } from '../upstreams/series';

/** One model's worth of data: a series (per-series) or a group of series (multivariate). */
export interface ModelUnit {
  /** Identity of the unit: the series' labels, or the group's `by` labels. */
  labels: Record<string, string>;
  /** Column name → series. */
  columns: Map<string, Series>;
}

/**
 * The labels of the unit a series belongs to: its own (per-series), or its group's `by` labels. A series' own labels
 * only: `by="constructor"` read an object's inherited function (an attack review), and grouped every series by it.
 */
export function unitLabelsOf(
  labels: Record<string, string>,
  mode: DetectionMode,
  by: string[]
): Record<string, string> {
  return mode === 'per-series'
    ? labels
    : Object.fromEntries(by.map((name) => [name, Object.hasOwn(labels, name) ? labels[name] : '']));
}

export function buildUnits(series: Series[], mode: DetectionMode, by: string[]): ModelUnit[] {
  if (mode === 'per-series') {
    return series.map((s) => ({ labels: s.labels, columns: new Map([[s.labels.__name__ ?? 'value', s]]) }));
  }
  const groups = new Map<string, ModelUnit>();
  for (const s of series) {
    const groupLabels = unitLabelsOf(s.labels, mode, by);
    const columnLabels: Record<string, string> = { ...s.labels };
    for (const name of by) {
      delete columnLabels[name];
    }
    const groupKey = labelsKey(groupLabels);
    let unit = groups.get(groupKey);
    if (!unit) {
      unit = { labels: groupLabels, columns: new Map() };
      groups.set(groupKey, unit);
    }
    unit.columns.set(labelsKey(columnLabels), s);
  }
  return [...groups.values()];
}

/**
 * The rows buildTable gives the unit (counted without building the table): a single series' timestamps; several
 * series' grid times from the first to the last with `stepMs`, else their distinct timestamps.
 */
export function unitRowCount(unit: ModelUnit, stepMs?: number): number {
  const series = [...unit.columns.values()];
  if (series.length === 1) {
    return series[0].timestamps.length; // at most: repeated timestamps merge
  }
  if (stepMs !== undefined) {
    let first = Infinity;
    let last = -Infinity;
    for (const one of series) {
      if (one.timestamps.length > 0) {
        first = Math.min(first, one.timestamps[0]);
        last = Math.max(last, one.timestamps[one.timestamps.length - 1]);
      }
    }
    return first <= last ? Math.round((last - first) / commonStep(series, stepMs)) + 1 : 0;
  }
  const seen = new Set<number>();
  for (const one of series) {
    for (const t of one.timestamps) {
      seen.add(t);
    }
  }
  return seen.size;
}

/**
 * The unit as a table with exactly `columnNames` (a trained model's columns, or the unit's own in Prometheus' order
 * of their series, the order the panel receives them in: a multivariate model's scores depend on its columns'
 * order); absent samples and ±Inf are NaN (missing rows the engine skips). One series keeps its own rows. Several
 * are joined as the panel joins them (the engine's alignOnStep: on the grid they were fetched on, at `stepMs` or
 * a coarser series' own step, a one-step gap filled with the previous value): a group's model then sees the
 * panel's rows (a review: one missed scrape gave every later score of the group another value than the panel's).
 * Without `stepMs`, on the union of their timestamps.
 */
export function buildTable(unit: ModelUnit, columnNames: string[] = columnOrder(unit), stepMs?: number): SeriesTable {
  const present = columnNames.filter((name) => unit.columns.has(name));
  if (present.length === 1) {
    const table = singleSeriesTable(unit.columns.get(present[0])!, columnNames, present[0]);
    if (table) {
      return table;
    }
  }
  if (stepMs !== undefined && present.length > 1) {
    const series = columnNames.map((name) => unit.columns.get(name) ?? { timestamps: [], values: [] });
    const origin = series.find((one) => one.timestamps.length > 0)!.timestamps[0];
    return alignOnStep(series, columnNames, commonStep(series, stepMs), origin).table;
  }
  return unionTable(unit, columnNames);
}

/** The unit's column names in Prometheus' order of their series (labelSetSortKey of the whole label sets). */
export function columnOrder(unit: ModelUnit): string[] {
  return [...unit.columns.entries()]
    .map(([name, series]) => ({ name, key: labelSetSortKey(series.labels) }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map(({ name }) => name);
}

/**
 * One series' own timestamps and values copied straight into typed arrays (the other columns all NaN): the common
 * per-series case, without the union's set, sort and row map. Undefined when the timestamps are not strictly
 * increasing (the union sorts and merges them).
 */
function singleSeriesTable(series: Series, columnNames: string[], presentName: string): SeriesTable | undefined {
  const rows = series.timestamps.length;
  const timestamps = new Float64Array(rows);
  const values = new Float64Array(rows);
  let previous = -Infinity;
  for (let row = 0; row < rows; row++) {
    const t = series.timestamps[row];
    if (!(t > previous)) {
      return undefined;
    }
    previous = t;
    timestamps[row] = t;
    const v = series.values[row];
    values[row] = Number.isFinite(v) ? v : NaN;
  }
  const columns = columnNames.map((name) =>
    name === presentName ? { name, values } : { name, values: new Float64Array(rows).fill(NaN) }
  );
  return { timestamps, columns };
}

/** The series on the union of their timestamps (several series of a multivariate group). */
function unionTable(unit: ModelUnit, columnNames: string[]): SeriesTable {
  const stamps = new Set<number>();
  for (const name of columnNames) {
    unit.columns.get(name)?.timestamps.forEach((t) => stamps.add(t));
  }
  const timestamps = Float64Array.from([...stamps].sort((a, b) => a - b));
  const rowOf = new Map<number, number>();
  timestamps.forEach((t, row) => rowOf.set(t, row));
  const columns = columnNames.map((name) => {
    const values = new Float64Array(timestamps.length).fill(NaN);
    const series = unit.columns.get(name);
    series?.timestamps.forEach((t, i) => {
      const v = series.values[i];
      values[rowOf.get(t)!] = Number.isFinite(v) ? v : NaN;
    });
    return { name, values };
  });
  return { timestamps, columns };
}

/**
 * The time of the first row where every column has a value: where the model's history starts (a young metric in a
 * multivariate group with older ones starts it late). Undefined without such a row.
 */
export function firstCompleteTime(table: SeriesTable): number | undefined {
  for (let row = 0; row < table.timestamps.length; row++) {
    if (table.columns.every((column) => Number.isFinite(column.values[row]))) {
      return table.timestamps[row];
    }
  }
  return undefined;
}
