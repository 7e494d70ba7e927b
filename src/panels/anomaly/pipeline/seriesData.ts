/**
 * One series as the panel hands it to the scorer: its frame's times and values copied into typed arrays (so they
 * can be transferred to the worker), in the frame's own order, null/invalid values as NaN.
 */
export interface SeriesData {
  times: Float64Array;
  values: Float64Array;
}

/** A series sorted by time: strictly increasing timestamps, one value each. */
export interface SortedSeries {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Rows copied per step by copySeriesData; it gives the thread back after each step. */
export const COPY_CHUNK_ROWS = 65_536;

/** Epoch ms of a time field value (number, Date or date string); NaN when it is none of these. */
export function toMillis(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (value instanceof Date) {
    return value.getTime();
  }
  if (typeof value === 'string') {
    return Date.parse(value);
  }
  return NaN;
}

/** A finite number, or NaN (null, undefined, strings, ±Infinity). */
export function toNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : NaN;
}

/**
 * Copies a frame's time and value fields into typed arrays, COPY_CHUNK_ROWS rows per step with `pause()` between
 * steps, so the main thread never copies a million rows in one task.
 */
export async function copySeriesData(
  times: ArrayLike<unknown>,
  values: ArrayLike<unknown>,
  pause: () => Promise<void>
): Promise<SeriesData> {
  const n = Math.min(times.length, values.length);
  const out: SeriesData = { times: new Float64Array(n), values: new Float64Array(n) };
  for (let start = 0; start < n; start += COPY_CHUNK_ROWS) {
    copyRows(times, values, out, start, Math.min(n, start + COPY_CHUNK_ROWS));
    await pause();
  }
  return out;
}

/** copySeriesData's step: rows [from, to). */
export function copyRows(
  times: ArrayLike<unknown>,
  values: ArrayLike<unknown>,
  out: SeriesData,
  from: number,
  to: number
): void {
  for (let i = from; i < to; i++) {
    const t = times[i];
    out.times[i] = typeof t === 'number' ? t : toMillis(t);
    const v = values[i];
    out.values[i] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
  }
}

/**
 * Sorts a series once, in the worker: rows without a finite time are dropped, and of rows with the same time the
 * newest is kept (streaming frames hold the newest row first and may re-send a point). Oldest-first and newest-first
 * series take a linear pass; only a series in no order pays for a sort.
 */
export function sortSeries(series: SeriesData): SortedSeries {
  const { times, values } = series;
  const valid: number[] = [];
  let ascending = true;
  let descending = true;
  let last = NaN;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    if (!Number.isFinite(t)) {
      continue;
    }
    if (!Number.isNaN(last)) {
      ascending &&= t >= last;
      descending &&= t <= last;
    }
    last = t;
    valid.push(i);
  }
  let order: ArrayLike<number> = valid;
  if (!ascending && descending) {
    order = valid.reverse(); // newest-first: reversed, the newest of equal times comes last, as below
  } else if (!ascending) {
    // Among equal times the newest row must come last ("keep last" below): the later row in an oldest-first frame,
    // the earlier one in a newest-first frame.
    const newestFirst = valid.length > 1 && times[valid[0]] > times[valid[valid.length - 1]];
    order = valid.sort((a, b) => times[a] - times[b] || (newestFirst ? b - a : a - b));
  }
  const timestamps = new Float64Array(order.length);
  const sortedValues = new Float64Array(order.length);
  let n = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const t = times[i];
    if (n > 0 && timestamps[n - 1] === t) {
      sortedValues[n - 1] = values[i]; // the newer row of the same time
      continue;
    }
    timestamps[n] = t;
    sortedValues[n] = values[i];
    n++;
  }
  return { timestamps: timestamps.slice(0, n), values: sortedValues.slice(0, n) };
}
