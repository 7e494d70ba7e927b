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
   * gets " (2)", " (3)"... in frame order, so it is neither merged with nor replaced by the other.
   */
  id: string;
  labels: Labels;
}

/**
 * Every number field that has a time field in its frame, found by field type (never by name), so Prometheus,
 * InfluxQL, Flux, wide and streaming frames all work alike.
 */
export function findNumberSeries(frames: DataFrame[]): SeriesRef[] {
  const refs: SeriesRef[] = [];
  const usedNames = new Map<string, number>();
  const usedIds = new Map<string, number>();
  frames.forEach((frame, frameIndex) => {
    const { timeIndex } = getTimeField(frame);
    if (timeIndex === undefined) {
      return;
    }
    frame.fields.forEach((field, fieldIndex) => {
      if (field.type !== FieldType.number) {
        return;
      }
      const displayName = getFieldDisplayName(field, frame, frames);
      refs.push({
        frameIndex,
        fieldIndex,
        timeFieldIndex: timeIndex,
        name: uniqueName(displayName, usedNames),
        id: uniqueName(seriesIdentity(frame, fieldIndex), usedIds),
        labels: field.labels ?? {},
      });
    });
  });
  return refs;
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

/** The engine rejects duplicate column names (and models, duplicate identities): a second "Value" becomes "Value (2)". */
function uniqueName(name: string, used: Map<string, number>): string {
  const seen = used.get(name) ?? 0;
  used.set(name, seen + 1);
  return seen === 0 ? name : `${name} (${seen + 1})`;
}
