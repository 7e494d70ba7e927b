import type { SeriesTable } from './types';

/**
 * Multivariate alignment policy, one for the panel and the proxy, so that a group's model sees the same rows in both
 * (docs/panel.md, "Multivariate mode"):
 * - step: the query interval or the coarsest series' own step (median spacing), whichever is larger: the largest
 *   grid every series can fill;
 * - grid: multiples of the step since the epoch (as Grafana aligns range queries), or through a given origin (the
 *   proxy's: the grid its rows were fetched on);
 * - tolerance: half a step: each point belongs to the nearest grid time, and of several points on one grid time
 *   the nearest one is kept (ties: the later one); the others are dropped;
 * - fill: a grid time a series has no point for, between two of its points, takes its previous value when the gap
 *   is at most FILL_MAX_STEPS steps; longer gaps stay missing and those rows are not scored.
 */
export const FILL_MAX_STEPS = 1;

/** A series as alignment reads it: increasing times; a value that is not a finite number is missing. */
export interface AlignableSeries {
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface Alignment {
  stepMs: number;
  /** Points placed on a grid time, over all series. */
  aligned: number;
  /** Points not used: another point of the same series was nearer to their grid time. */
  dropped: number;
  /** Grid times filled with the previous value. */
  filled: number;
  /**
   * Grid times some series has no value for, after the fill (a gap of more than FILL_MAX_STEPS): rows no model scores,
   * whatever the other series do there (a browser review: a spike in one series inside another's gap went unmarked,
   * and nothing said so).
   */
  incomplete: number;
}

/** Gaps sampled at most by medianStep: a median of a few thousand gaps is the series' step, at any length. */
export const MEDIAN_STEP_SAMPLE = 4096;

/** Median spacing of a sorted series (0 with fewer than two points), from at most MEDIAN_STEP_SAMPLE evenly spread gaps. */
export function medianStep(timestamps: ArrayLike<number>): number {
  const gapCount = timestamps.length - 1;
  if (gapCount < 1) {
    return 0;
  }
  const sampled = Math.min(gapCount, MEDIAN_STEP_SAMPLE);
  // A regular grid (every sampled gap the same, a query's usual answer) is its own median: no array, no sort.
  if (sameSampledGaps(timestamps, gapCount, sampled)) {
    return sampledGap(timestamps, 0, gapCount, sampled);
  }
  const gaps = new Float64Array(sampled);
  for (let k = 0; k < sampled; k++) {
    gaps[k] = sampledGap(timestamps, k, gapCount, sampled);
  }
  gaps.sort();
  return gaps[gaps.length >> 1];
}

/**
 * Gap k of the `sampled` evenly spread over a series' `gapCount` gaps. A plain function, not a closure made per
 * call: V8 inlines a closure as that one closure, so every later call's new closure left the optimised code
 * ("wrong call target") and the rest of the call ran unoptimised; a panel refresh did that once per series
 * (Chromium's --trace-deopt).
 */
function sampledGap(timestamps: ArrayLike<number>, k: number, gapCount: number, sampled: number): number {
  const i = 1 + Math.floor((k * gapCount) / sampled);
  return timestamps[i] - timestamps[i - 1];
}

/** Whether every sampled gap equals the first (the first is read once, not again for every gap compared with it). */
function sameSampledGaps(timestamps: ArrayLike<number>, gapCount: number, sampled: number): boolean {
  const first = sampledGap(timestamps, 0, gapCount, sampled);
  for (let k = 1; k < sampled; k++) {
    if (sampledGap(timestamps, k, gapCount, sampled) !== first) {
      return false;
    }
  }
  return true;
}

/**
 * A series' own step: the median step between its rows that hold a value. A frame joined from several series (an
 * outer join, "series to columns") holds every series' times, each series null where it has no point: the step
 * between all its rows is the frame's (30 s for two 60 s series 30 s apart), and the series would be drawn as dots.
 */
export function seriesStep(series: AlignableSeries): number {
  const { timestamps, values } = series;
  const valued = countValued(values);
  return medianStep(valued === values.length ? timestamps : valuedTimes(timestamps, values, valued));
}

/**
 * Rows holding a value. Its own function, as is valuedTimes: with the loop in seriesStep, V8 compiled seriesStep on
 * stack replacement inside it, and on later calls the same optimised code was left again after the loop.
 */
function countValued(values: ArrayLike<number>): number {
  let valued = 0;
  for (let i = 0; i < values.length; i++) {
    valued += Number.isNaN(values[i]) ? 0 : 1;
  }
  return valued;
}

/** The times of the `valued` rows that hold a value. */
function valuedTimes(timestamps: ArrayLike<number>, values: ArrayLike<number>, valued: number): Float64Array {
  const times = new Float64Array(valued);
  for (let i = 0, k = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i])) {
      times[k++] = timestamps[i];
    }
  }
  return times;
}

/** The common step of several series (see the policy above); `intervalMs` is the query's interval, if known. */
export function commonStep(series: AlignableSeries[], intervalMs = 0): number {
  const coarsest = series.reduce((step, s) => Math.max(step, seriesStep(s)), 0);
  const step = Math.max(coarsest, Number.isFinite(intervalMs) ? intervalMs : 0);
  return step > 0 ? step : 1;
}

/**
 * Several series joined on a common step (see the policy above): one column per series, named `names[i]`.
 * @param originMs a time on the grid [0: the epoch's grid]
 */
export function alignOnStep(
  series: AlignableSeries[],
  names: string[],
  stepMs: number,
  originMs = 0
): { table: SeriesTable; alignment: Alignment } {
  // Grid index of a time: the nearest grid time's.
  const gridIndex = (t: number) => Math.round((t - originMs) / stepMs);
  let first = Infinity;
  let last = -Infinity;
  for (const s of series) {
    if (s.timestamps.length > 0) {
      first = Math.min(first, gridIndex(s.timestamps[0]));
      last = Math.max(last, gridIndex(s.timestamps[s.timestamps.length - 1]));
    }
  }
  const rows = Number.isFinite(first) ? last - first + 1 : 0;
  const timestamps = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    timestamps[r] = originMs + (first + r) * stepMs;
  }
  const alignment: Alignment = { stepMs, aligned: 0, dropped: 0, filled: 0, incomplete: 0 };
  const columns = series.map((s, c) => {
    const values = new Float64Array(rows).fill(NaN);
    const distance = new Float64Array(rows).fill(Infinity);
    let points = 0;
    for (let i = 0; i < s.timestamps.length; i++) {
      const k = gridIndex(s.timestamps[i]);
      const d = Math.abs(s.timestamps[i] - (originMs + k * stepMs));
      const row = k - first;
      points++;
      if (d <= distance[row]) {
        distance[row] = d;
        const v = s.values[i];
        values[row] = Number.isFinite(v) ? v : NaN;
      }
    }
    let placed = 0;
    let lastPlaced = -1;
    for (let r = 0; r < rows; r++) {
      if (distance[r] === Infinity) {
        continue;
      }
      placed++;
      const gap = r - lastPlaced - 1;
      if (lastPlaced >= 0 && gap > 0 && gap <= FILL_MAX_STEPS) {
        values.fill(values[lastPlaced], lastPlaced + 1, r);
        alignment.filled += gap;
      }
      lastPlaced = r;
    }
    alignment.aligned += placed;
    alignment.dropped += points - placed;
    return { name: names[c], values };
  });
  for (let r = 0; r < rows; r++) {
    alignment.incomplete += columns.some((column) => Number.isNaN(column.values[r])) ? 1 : 0;
  }
  return { table: { timestamps, columns }, alignment };
}
