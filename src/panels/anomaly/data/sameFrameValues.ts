import type { DataFrame } from '@grafana/data';

/**
 * Whether two lists of frames hold the same data: as many frames, each with as many rows and the same fields' value
 * arrays. Grafana applies the field config again to every update it passes on (new frames and fields around the
 * same value arrays), so identity of the frames alone does not tell a repeat of the previous result (a loading
 * update) from new data.
 */
export function sameFrameValues(a: DataFrame[], b: DataFrame[]): boolean {
  if (a === b) {
    return true;
  }
  return (
    a.length === b.length &&
    a.every((frame, i) => {
      const other = b[i];
      return (
        frame.length === other.length &&
        frame.fields.length === other.fields.length &&
        frame.fields.every((field, f) => field.type === other.fields[f].type && field.values === other.fields[f].values)
      );
    })
  );
}
