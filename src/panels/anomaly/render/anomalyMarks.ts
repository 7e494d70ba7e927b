import type { AnomalyDirection } from '../types';

/** One series' scored points, in time order, with the engine's verdict. */
export interface ScoredSeries {
  /** Epoch ms of each scored point. */
  times: ArrayLike<number>;
  /** The series value at each scored point. */
  values: ArrayLike<number>;
  /** Rolling mean at each scored point (for the direction filter); NaN where unknown. */
  rollingMean: ArrayLike<number>;
  /** 1 where the engine called the point anomalous. */
  isAnomaly: ArrayLike<number>;
}

export interface MarkRules {
  /** Runs shorter than this are not marked. */
  minConsecutive: number;
  direction: AnomalyDirection;
}

export interface AnomalyRegion {
  /** Epoch ms of the first and last point of the run. */
  start: number;
  end: number;
  /** Indexes (into the scored points) of the run. */
  first: number;
  last: number;
}

/**
 * Which scored points the panel marks: the engine's anomalies whose value lies on the chosen side of the rolling
 * mean, in runs of at least minConsecutive points. With the defaults (both sides, 1 point) that is exactly the
 * engine's anomalies. Returns a 0/1 flag per scored point and the runs as regions.
 */
export function markAnomalies(
  series: ScoredSeries,
  rules: MarkRules,
  /** Arrays of at least n flags to work in (reused from call to call); new ones when absent. */
  scratch?: { candidate: Uint8Array; marked: Uint8Array }
): { marked: Uint8Array; regions: AnomalyRegion[] } {
  const n = series.times.length;
  // Either side: the flags themselves (no rolling mean is read, none may be given); a side: the flags on it.
  let candidate: ArrayLike<number> = series.isAnomaly;
  if (rules.direction !== 'both') {
    const onSide = scratch ? scratch.candidate.subarray(0, n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      onSide[i] = series.isAnomaly[i] && onChosenSide(series.values[i], series.rollingMean[i], rules.direction) ? 1 : 0;
    }
    candidate = onSide;
  }
  const marked = scratch ? scratch.marked.subarray(0, n).fill(0) : new Uint8Array(n);
  const regions: AnomalyRegion[] = [];
  let i = 0;
  while (i < n) {
    if (!candidate[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < n && candidate[j + 1]) {
      j++;
    }
    if (j - i + 1 >= rules.minConsecutive) {
      marked.fill(1, i, j + 1);
      regions.push({ start: series.times[i], end: series.times[j], first: i, last: j });
    }
    i = j + 1;
  }
  return { marked, regions };
}

function onChosenSide(value: number, mean: number, direction: AnomalyDirection): boolean {
  if (direction === 'both') {
    return true;
  }
  if (!Number.isFinite(mean)) {
    return false; // no history to compare with: cannot tell the side
  }
  return direction === 'above' ? value > mean : value < mean;
}
