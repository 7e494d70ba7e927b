import { type DataFrame, FieldType, type Labels, getFieldDisplayName, getTimeField } from '@grafana/data';

/** Where one numeric series lives in the panel's frames, so results can be drawn back onto it. */
export interface SeriesRef {
  frameIndex: number;
  fieldIndex: number;
  timeFieldIndex: number;
  /** Name shown to the user and used as the engine's column name; unique within one panel. */
  name: string;
  /**
   * Stable identity (frame name, field name, sorted labels), independent of which other series are present, so a
   * baseline query's series can be matched to the visible ones (display names depend on the whole frame set).
   * Unique within one panel: a series whose identity an earlier one has (no refId, no labels, the same field name)
   * gets " (2)", " (3)"... in frame order (the lowest no other identity has: uniqueNames), so it is neither merged
   * with nor replaced by the other.
   */
  id: string;
  labels: Labels;
}

/**
 * Every number field that has a time field in its frame, found by field type (never by name), so Prometheus,
 * InfluxQL, Flux, wide and streaming frames all work alike.
 */
export function findNumberSeries(frames: DataFrame[]): SeriesRef[] {
  const found: Array<Omit<SeriesRef, 'name' | 'id'> & { displayName: string; identity: string }> = [];
  frames.forEach((frame, frameIndex) => {
    const { timeIndex } = getTimeField(frame);
    if (timeIndex === undefined) {
      return;
    }
    frame.fields.forEach((field, fieldIndex) => {
      if (field.type !== FieldType.number) {
        return;
      }
      found.push({
        frameIndex,
        fieldIndex,
        timeFieldIndex: timeIndex,
        displayName: getFieldDisplayName(field, frame, frames),
        identity: seriesIdentity(frame, fieldIndex),
        labels: field.labels ?? {},
      });
    });
  });
  // Names and identities are made unique among all of them at once: a generated "x (2)" must not take the name of a
  // series that is called "x (2)" itself.
  const names = uniqueNames(found.map((s) => s.displayName));
  const ids = uniqueNames(found.map((s) => s.identity));
  return found.map(({ displayName, identity, ...ref }, i) => ({ ...ref, name: names[i], id: ids[i] }));
}

/** Frame name + field name + labels in key order: the same series gets the same identity in every query. */
export function seriesIdentity(frame: DataFrame, fieldIndex: number): string {
  const field = frame.fields[fieldIndex];
  const labels = field.labels ?? {};
  const labelText = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(',');
  return `${frame.refId ?? ''}/${frame.name ?? ''}/${field.name}{${labelText}}`;
}

/**
 * The engine rejects duplicate column names (and models, duplicate identities), so repeated names are told apart: the
 * first of a name keeps it, every later one gets " (n)" with the lowest n from 2 on whose result is no name in the
 * list and was not generated before (x, x, x becomes x, x (2), x (3); x, x, x (2) becomes x, x (3), x (2)). A name that
 * occurs once is kept as it is, so names and identities without a collision are the same whatever else is present.
 */
export function uniqueNames(names: string[]): string[] {
  const taken = new Set(names);
  const kept = new Set<string>();
  return names.map((name) => {
    if (!kept.has(name)) {
      kept.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name} (${n})`)) {
      n++;
    }
    const generated = `${name} (${n})`;
    taken.add(generated);
    kept.add(generated);
    return generated;
  });
}
