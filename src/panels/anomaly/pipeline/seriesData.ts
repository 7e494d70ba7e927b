import { runSteps } from '@telemetry-analyzer/engine';
import { type BufferPool, pooledFloat64Array } from '../worker/bufferPool';

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

/** Times [fromMs, toMs] (epoch ms) a copy keeps rows of. */
export interface KeptTimes {
  fromMs: number;
  toMs: number;
}

/**
 * Copies a frame's time and value fields into typed arrays, COPY_CHUNK_ROWS rows per step with `pause()` between
 * steps, so the main thread never copies a million rows in one task. A row whose time is outside `keep` gets the
 * time NaN, which the worker's sort drops (sortSeries): it is not analysed, drawn or counted; `outside` counts them.
 */
export async function copySeriesData(
  times: ArrayLike<unknown>,
  values: ArrayLike<unknown>,
  pause: () => Promise<void>,
  /** Buffers to copy into when one of the size is free (see BufferPool); new arrays otherwise. */
  pool?: BufferPool,
  keep: KeptTimes = { fromMs: -Infinity, toMs: Infinity }
): Promise<SeriesData & { outside: number }> {
  const n = Math.min(times.length, values.length);
  const out: SeriesData = { times: pooledFloat64Array(pool, n), values: pooledFloat64Array(pool, n) };
  let outside = 0;
  for (let start = 0; start < n; start += COPY_CHUNK_ROWS) {
    outside += copyRows(times, values, out, start, Math.min(n, start + COPY_CHUNK_ROWS), keep);
    await pause();
  }
  return { ...out, outside };
}

/** copySeriesData's step: rows [from, to); returns how many were outside `keep`. */
export function copyRows(
  times: ArrayLike<unknown>,
  values: ArrayLike<unknown>,
  out: SeriesData,
  from: number,
  to: number,
  keep: KeptTimes = { fromMs: -Infinity, toMs: Infinity }
): number {
  let outside = 0;
  for (let i = from; i < to; i++) {
    const t = times[i];
    const ms = typeof t === 'number' ? t : toMillis(t);
    const kept = ms >= keep.fromMs && ms <= keep.toMs;
    const v = values[i];
    const value = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
    // A row without a value (a joined frame's null) is no point outside the range.
    outside += kept || Number.isNaN(ms) || Number.isNaN(value) ? 0 : 1;
    out.times[i] = kept ? ms : NaN;
    out.values[i] = value;
  }
  return outside;
}

/** Rows sortSeriesSteps handles per step. */
export const SORT_STEP_ROWS = 65_536;

/**
 * Sorts a series once, in the worker: rows without a finite time are dropped, and of rows with the same time the
 * newest is kept (streaming frames hold the newest row first and may re-send a point). Oldest-first and newest-first
 * series take a linear pass; only a series in no order pays for a sort.
 */
export function sortSeries(series: SeriesData): SortedSeries {
  return runSteps(sortSeriesSteps(series));
}

/** sortSeries in steps of SORT_STEP_ROWS rows (a generator: see the engine's steps), with the same result. */
export function* sortSeriesSteps(series: SeriesData): Generator<void, SortedSeries> {
  const { times, values } = series;
  let ordered = 0;
  for (let from = 0; from < times.length && ordered === from; from += SORT_STEP_ROWS) {
    ordered = strictlyAscendingUpTo(times, from, Math.min(times.length, from + SORT_STEP_ROWS));
    yield;
  }
  if (ordered === times.length) {
    // Every time finite and each later than the one before (a query's usual answer): the series is its own sorted
    // form, the same values as the copy below would hold, without the copy (nor the index array of the passes
    // below: new memory is expensive in a browser, see BufferPool).
    return { timestamps: times, values };
  }
  const valid = new Int32Array(times.length);
  const scan: OrderScan = { count: 0, ascending: true, descending: true, last: NaN };
  for (let from = 0; from < times.length; from += SORT_STEP_ROWS) {
    scanOrder(times, valid, scan, from, Math.min(times.length, from + SORT_STEP_ROWS));
    yield;
  }
  const { count, ascending, descending } = scan;
  let order = valid.subarray(0, count);
  if (!ascending && descending) {
    order.reverse(); // newest-first: reversed, the newest of equal times comes last, as below
  } else if (!ascending) {
    // Among equal times the newest row must come last ("keep last" below): the later row in an oldest-first frame,
    // the earlier one in a newest-first frame.
    const newestFirst = count > 1 && times[order[0]] > times[order[count - 1]];
    order = order.sort((a, b) => times[a] - times[b] || (newestFirst ? b - a : a - b));
  }
  yield;
  const timestamps = new Float64Array(count);
  const sortedValues = new Float64Array(count);
  let n = 0;
  for (let from = 0; from < count; from += SORT_STEP_ROWS) {
    n = gatherRows(times, values, order, timestamps, sortedValues, n, from, Math.min(count, from + SORT_STEP_ROWS));
    yield;
  }
  return n === count
    ? { timestamps, values: sortedValues }
    : { timestamps: timestamps.slice(0, n), values: sortedValues.slice(0, n) };
}

/** What sortSeriesSteps' first pass learns of a series' order. */
interface OrderScan {
  /** Rows with a finite time (their indexes are in `valid`). */
  count: number;
  ascending: boolean;
  descending: boolean;
  last: number;
}

/**
 * Rows [from, to) checked for the common case: each time finite and later than the one before it (row from - 1
 * included). Returns `to` when they all are, else the first row that is not.
 */
function strictlyAscendingUpTo(times: Float64Array, from: number, to: number): number {
  let last = from > 0 ? times[from - 1] : -Infinity;
  for (let i = from; i < to; i++) {
    const t = times[i];
    if (!(t > last) || t === Infinity) {
      return i;
    }
    last = t;
  }
  return to;
}

/**
 * Rows [from, to) of the first pass: the rows with a finite time, and the order seen so far. A plain function (not
 * the generator's own loop), so the engine optimises it while it runs.
 */
function scanOrder(times: Float64Array, valid: Int32Array, scan: OrderScan, from: number, to: number): void {
  let { count, ascending, descending, last } = scan;
  for (let i = from; i < to; i++) {
    const t = times[i];
    if (!Number.isFinite(t)) {
      continue;
    }
    if (!Number.isNaN(last)) {
      ascending &&= t >= last;
      descending &&= t <= last;
    }
    last = t;
    valid[count++] = i;
  }
  Object.assign(scan, { count, ascending, descending, last });
}

/** Rows [from, to) of `order` into the sorted arrays, the newer row of equal times kept; returns the rows written. */
function gatherRows(
  times: Float64Array,
  values: Float64Array,
  order: Int32Array,
  timestamps: Float64Array,
  sortedValues: Float64Array,
  written: number,
  from: number,
  to: number
): number {
  let n = written;
  for (let k = from; k < to; k++) {
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
  return n;
}
