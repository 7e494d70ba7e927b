/**
 * How fetched series become the engine's tables. Univariate: one model per series, one column. Multivariate: series
 * grouped by the `by` labels (all series form one group without `by`); each group is one table whose columns are the
 * group's series, named by their labels except the `by` labels (including `__name__`).
 */
import type { SeriesTable } from '@telemetry-analyzer/engine';
import { Series, labelsKey } from '../upstreams/series';

/** One model's worth of data: a series (univariate) or a group of series (multivariate). */
export interface ModelUnit {
  /** Identity of the unit: the series' labels, or the group's `by` labels. */
  labels: Record<string, string>;
  /** Column name → series. */
  columns: Map<string, Series>;
}

export function buildUnits(series: Series[], mode: 'univariate' | 'multivariate', by: string[]): ModelUnit[] {
  if (mode === 'univariate') {
    return series.map((s) => ({ labels: s.labels, columns: new Map([[s.labels.__name__ ?? 'value', s]]) }));
  }
  const groups = new Map<string, ModelUnit>();
  for (const s of series) {
    const groupLabels: Record<string, string> = {};
    const columnLabels: Record<string, string> = { ...s.labels };
    for (const name of by) {
      groupLabels[name] = s.labels[name] ?? '';
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
 * The unit as a table with exactly `columnNames` (a trained model's columns, or the unit's own sorted), on the
 * union of the series' timestamps; absent samples and ±Inf are NaN (missing rows the engine skips).
 */
export function buildTable(unit: ModelUnit, columnNames: string[] = [...unit.columns.keys()].sort()): SeriesTable {
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
