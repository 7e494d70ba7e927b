import { type DataFrame, FieldType } from '@grafana/data';

/**
 * Whether a frame's time field holds epoch seconds where Grafana expects milliseconds (a SQL or CSV source's
 * `UNIX_TIMESTAMP()` column converted to a time field): its first numeric time lies far before the range, and a
 * thousand times it inside. Such points all fall outside the dashboard's range (a review: the panel then asked
 * whether the query followed $__timeFilter, which it did).
 */
export function timeFieldInSeconds(frames: DataFrame[], range: { from: number; to: number }): boolean {
  const span = Math.max(range.to - range.from, 1);
  return frames.some((frame) => {
    const time = frame.fields.find((field) => field.type === FieldType.time);
    const first = time?.values.find((value: unknown) => typeof value === 'number' && Number.isFinite(value));
    return (
      typeof first === 'number' &&
      first < range.from - span &&
      first * 1000 >= range.from - span &&
      first * 1000 <= range.to + span
    );
  });
}
