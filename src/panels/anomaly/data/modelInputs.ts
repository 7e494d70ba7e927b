import type { DataFrame } from '@grafana/data';
import type { SeriesTable } from '@telemetry-analyzer/engine';
import type { DetectionMode } from '../types';
import { joinSeries } from './joinSeries';
import { type SeriesRef, findNumberSeries } from './seriesRefs';
import { seriesToTable } from './seriesTable';

/** One model to train and score: its table and, per column, the series it came from. */
export interface ModelInput {
  /** Identity of the model within the panel: the series (per-series) or the group (multivariate). */
  key: string;
  /** What the user reads when this model has a problem: the series name or the group. */
  label: string;
  table: SeriesTable;
  /** `series[i]` is column i of `table`. */
  series: SeriesRef[];
  /** Grouped by a label: the series that lack it, grouped together (the panel says so). */
  unlabelled?: boolean;
}

export interface ModelLayout {
  mode: DetectionMode;
  /** Multivariate mode: one model per value of this label; empty = all series in one model. */
  groupByLabel: string;
}

/** The panel's frames as engine tables, one per model. */
export function buildModelInputs(frames: DataFrame[], layout: ModelLayout): ModelInput[] {
  return planModels(findNumberSeries(frames), layout).map((model) => ({
    ...model,
    table:
      model.series.length === 1 && layout.mode === 'per-series'
        ? seriesToTable(frames, model.series[0])
        : joinSeries(frames, model.series),
  }));
}

/** The models of a panel and the series of each, without their rows (cheap: proportional to the series). */
export function planModels(refs: SeriesRef[], layout: ModelLayout): Array<Omit<ModelInput, 'table'>> {
  if (layout.mode === 'per-series') {
    return refs.map((ref) => ({ key: `series:${ref.id}`, label: ref.name, series: [ref] }));
  }
  return groupRefs(refs, layout.groupByLabel).map(({ groupKey, label, members, unlabelled }) => ({
    key: `group:${groupKey}:${members.map((m) => m.id).join('|')}`,
    label,
    series: members,
    ...(unlabelled && { unlabelled }),
  }));
}

/**
 * The training table of each model from other frames (a baseline query): series matched by identity, columns named
 * as in the model. Returns undefined for a model none of whose series the baseline holds.
 */
export function buildTrainingTables(frames: DataFrame[], models: ModelInput[]): Array<SeriesTable | undefined> {
  const byId = new Map(findNumberSeries(frames).map((ref) => [ref.id, ref]));
  return models.map((model) => {
    const found = model.series.map((s) => byId.get(s.id));
    if (found.some((ref) => ref === undefined)) {
      return undefined;
    }
    const refs = found as SeriesRef[];
    const names = model.series.map((s) => s.name);
    return refs.length === 1 ? seriesToTable(frames, refs[0], names[0]) : joinSeries(frames, refs, names);
  });
}

function groupRefs(refs: SeriesRef[], groupByLabel: string) {
  const groups = new Map<string, SeriesRef[]>();
  for (const ref of refs) {
    // The series' own labels only (a label named "constructor" read an inherited function).
    const value = groupByLabel && Object.hasOwn(ref.labels, groupByLabel) ? ref.labels[groupByLabel] : '';
    groups.set(value, [...(groups.get(value) ?? []), ref]);
  }
  return [...groups.entries()].map(([value, members]) => ({
    groupKey: groupByLabel ? `${groupByLabel}=${value}` : 'all',
    label: groupByLabel ? `${groupByLabel}=${value === '' ? '(no label)' : value}` : 'all series',
    members,
    unlabelled: groupByLabel !== '' && value === '',
  }));
}
