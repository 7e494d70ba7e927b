import { type DataFrame, FieldType } from '@grafana/data';
import { medianStep } from '@telemetry-analyzer/engine';
import { type SeriesRef, findNumberSeries } from './seriesRefs';

/** Series and rows per series dataStepMs reads: a sample, on the main thread, whatever the panel's size. */
const SAMPLED_SERIES = 3;
const SAMPLED_ROWS = 512;

/**
 * The step of a panel's data, the one its training rows are fetched at and the alert rule it writes says as
 * `step=` (so both train and score on the same rows): the step Grafana put on a time field (`config.interval`:
 * the Prometheus data source sets it to the query's step, a Min step included), else the spacing of the rows, from
 * a sample of the series (the smallest of their median spacings between rows holding a number: rows as stored by a
 * SQL or Loki source); undefined when neither is known.
 */
export function dataStepMs(frames: DataFrame[], refs: SeriesRef[] = findNumberSeries(frames)): number | undefined {
  for (const frame of frames) {
    const interval = frame.fields.find((f) => f.type === FieldType.time)?.config.interval;
    if (typeof interval === 'number' && interval > 0) {
      return interval;
    }
  }
  let spacing = Infinity;
  for (const ref of refs.slice(0, SAMPLED_SERIES)) {
    const frame = frames[ref.frameIndex];
    const times = frame.fields[ref.timeFieldIndex].values;
    const values = frame.fields[ref.fieldIndex].values;
    const valued: number[] = [];
    for (let row = 0; row < Math.min(frame.length, SAMPLED_ROWS); row++) {
      const time = times[row];
      if (typeof time === 'number' && typeof values[row] === 'number' && Number.isFinite(values[row])) {
        valued.push(time);
      }
    }
    // Either order (newest-first frames stream); the worker's own estimate of a sorted series' step.
    const step = medianStep(Float64Array.from(valued).sort());
    if (step > 0) {
      spacing = Math.min(spacing, step);
    }
  }
  return Number.isFinite(spacing) ? spacing : undefined;
}
