import type { DataFrame } from '@grafana/data';
import type { SeriesRef } from './seriesRefs';

/** Series and rows per series rowSpacing reads: a sample, on the main thread, whatever the panel's size. */
const SAMPLED_SERIES = 3;
const SAMPLED_ROWS = 512;

/**
 * The spacing of the panel's rows, from a sample of its series (the smallest of their median spacings between rows
 * holding a number), 0 when none has two such rows. Wider than the query interval when the data source does not
 * bucket by it (SQL or Loki rows as stored, a Prometheus query with a Min step): the training query is then cut into
 * pieces and capped by this spacing, not the interval (model/trainingPlan.ts).
 */
export function rowSpacing(frames: DataFrame[], refs: SeriesRef[]): number {
  let spacing = Infinity;
  for (const ref of refs.slice(0, SAMPLED_SERIES)) {
    const frame = frames[ref.frameIndex];
    const times = frame.fields[ref.timeFieldIndex].values;
    const values = frame.fields[ref.fieldIndex].values;
    const gaps: number[] = [];
    let previous = NaN;
    for (let row = 0; row < Math.min(frame.length, SAMPLED_ROWS); row++) {
      const time = times[row];
      if (typeof time !== 'number' || typeof values[row] !== 'number' || !Number.isFinite(values[row])) {
        continue;
      }
      if (time > previous) {
        gaps.push(time - previous);
      }
      previous = time;
    }
    if (gaps.length > 0) {
      gaps.sort((a, b) => a - b);
      spacing = Math.min(spacing, gaps[gaps.length >> 1]);
    }
  }
  return Number.isFinite(spacing) ? spacing : 0;
}
