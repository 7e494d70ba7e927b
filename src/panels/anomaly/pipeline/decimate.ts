/**
 * Drawing at the panel's resolution: the visible range cut into one column per pixel, each column drawn as two
 * points (its min and max, in time order), so a chart of any number of points costs the same and keeps every spike.
 * Every column's anomalies become one mark at most per slot, and regions closer than a column merge.
 *
 * Columns are anchored to fixed times: column boundaries are the multiples of the column width (the range's span over
 * the pixel columns), the grid's first column the one holding fromMs (cut at fromMs), its last one everything up to
 * toMs. A range that moves on by a few points with the same span (a dashboard's relative range refreshing) keeps the
 * same boundaries, so every column between its two ends holds the same points as before: a refresh copies those
 * columns and decimates only the ends (see the worker's drawModelSteps).
 */
import { lowerBound, partitionPoint } from '@telemetry-analyzer/engine';

export interface PixelGrid {
  fromMs: number;
  toMs: number;
  /** Pixel columns (the plot's width). */
  columns: number;
}

/** Two slots per column: the x of each drawn point (a quarter and three quarters into its column). */
export function slotTimes(grid: PixelGrid): Float64Array {
  const width = columnWidth(grid);
  const first = firstColumn(grid);
  const x = new Float64Array(grid.columns * 2);
  for (let c = 0; c < grid.columns; c++) {
    x[2 * c] = (first + c + 0.25) * width;
    x[2 * c + 1] = (first + c + 0.75) * width;
  }
  return x;
}

export function columnWidth(grid: PixelGrid): number {
  return Math.max(grid.toMs - grid.fromMs, 1) / grid.columns;
}

/** The anchored column (counted from time 0) of the grid's first column: the one holding fromMs. */
export function firstColumn(grid: PixelGrid): number {
  return Math.floor(grid.fromMs / columnWidth(grid));
}

/**
 * The times column `column` of the grid covers: [startMs, endMs), the first cut at fromMs and the last holding
 * toMs itself (columnOf's columns).
 */
export function columnBounds(grid: PixelGrid, column: number): { startMs: number; endMs: number } {
  const width = columnWidth(grid);
  const anchored = firstColumn(grid) + column;
  return {
    startMs: Math.max(grid.fromMs, anchored * width),
    endMs: column === grid.columns - 1 ? grid.toMs + 1 : Math.min(grid.toMs + 1, (anchored + 1) * width),
  };
}

/**
 * The time of the one point of ascending `times` in [startMs, endMs): the point a pixel column holding a single point
 * drew (its two slots both that point); undefined when the column holds none or several.
 */
export function loneTimeIn(times: ArrayLike<number>, startMs: number, endMs: number): number | undefined {
  const at = lowerBound(times, startMs);
  if (at >= times.length || !(times[at] < endMs)) {
    return undefined;
  }
  return at + 1 < times.length && times[at + 1] < endMs ? undefined : times[at];
}

/** The column of time t, or -1 outside the visible range. */
export function columnOf(grid: PixelGrid, t: number): number {
  if (!(t >= grid.fromMs && t <= grid.toMs)) {
    return -1;
  }
  return Math.min(grid.columns - 1, Math.floor(t / columnWidth(grid)) - firstColumn(grid));
}

/**
 * Where an answer's grid-sized arrays come from: new ones, or (the worker) buffers the panel gave back, whatever they
 * hold (every slot is written).
 */
export type GridArrays = (length: number) => Float64Array;

const newArrays: GridArrays = (length) => new Float64Array(length);

/** Two slots per column, all NaN. */
export function emptySlots(grid: PixelGrid, arrays: GridArrays = newArrays): Float64Array {
  return arrays(grid.columns * 2).fill(NaN);
}

/**
 * Min and max of each column (NaN values skipped), at the column's two slots in the order they occur; a column with
 * one point has it in both slots, an empty column NaN in both. `times` ascending.
 */
export function decimateMinMax(
  grid: PixelGrid,
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  arrays: GridArrays = newArrays
): Float64Array {
  const y = emptySlots(grid, arrays);
  decimateRowsInto(y, grid, times, values, 0, times.length);
  return y;
}

/**
 * decimateMinMax of rows [fromRow, toRow) only, into `y` (2 slots per column): the columns of other rows are left as
 * they are. A refresh decimates the rows of the grid's changed ends this way, into the columns copied from before.
 */
export function decimateRowsInto(
  y: Float64Array,
  grid: PixelGrid,
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  fromRow: number,
  toRow: number
): void {
  const { fromMs, toMs } = grid;
  const width = columnWidth(grid);
  const first = firstColumn(grid);
  const lastColumn = grid.columns - 1;
  // The rows of a column are consecutive (times ascending, the column a monotone function of the time): each column's
  // rows are found by comparing times with its end, and only they are read for the min and max, without computing
  // every row's column (a division per row was most of a refresh's redraw in the worker). Same bytes as a per-row
  // pass (decimate.test.ts).
  let i = Math.max(fromRow, firstAtLeast(times, fromMs));
  const end = Math.min(toRow, firstAtLeast(times, toMs, true));
  while (i < end) {
    const column = Math.min(lastColumn, Math.floor(times[i] / width) - first);
    let next = end;
    if (column < lastColumn) {
      // The column's end by comparison, then made exact with columnOf's own arithmetic (rounding at the edge).
      const anchored = first + column;
      const columnEnd = (anchored + 1) * width;
      next = i + 1;
      while (next < end && times[next] < columnEnd) {
        next++;
      }
      while (next > i + 1 && Math.floor(times[next - 1] / width) > anchored) {
        next--;
      }
      while (next < end && Math.floor(times[next] / width) <= anchored) {
        next++;
      }
    }
    columnMinMax(y, column, times, values, i, next);
    i = next;
  }
}

/** The first row (of ascending `times`) whose anchored column (Math.floor(t / width)) is at least `column`. */
export function firstRowOfColumn(times: ArrayLike<number>, width: number, column: number): number {
  return partitionPoint(times.length, (i) => Math.floor(times[i] / width) < column);
}

/**
 * The first row (of ascending `times`) at or after `t` (after it, when `after`): a binary search, as decimate()'s
 * range check skips rows before fromMs and after toMs.
 */
function firstAtLeast(times: ArrayLike<number>, t: number, after = false): number {
  return after ? partitionPoint(times.length, (i) => times[i] <= t) : lowerBound(times, t);
}

/** Rows [from, to) of one column into its two slots, as decimate() does (NaN values skipped). */
function columnMinMax(
  y: Float64Array,
  column: number,
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number
): void {
  let min = NaN;
  let max = NaN;
  let minAt = NaN;
  let maxAt = NaN;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      continue;
    }
    if (Number.isNaN(min)) {
      min = max = v;
      minAt = maxAt = times[i];
    } else if (v < min) {
      min = v;
      minAt = times[i];
    } else if (v > max) {
      max = v;
      maxAt = times[i];
    }
  }
  flushColumn(y, undefined, column, min, minAt, max, maxAt, true);
}

/**
 * The marked points of each column as at most two marks: the lowest and the highest marked value, at the slots in
 * the order they occur (one marked point: slot 0). `t` holds each mark's own time, `count` the marked points.
 * `runs` (markAnomalies' regions: ascending, disjoint, every marked row inside one) limits the pass to their rows,
 * with the same result: a series has ~1 % of its rows marked, and reading every row for them was a third of the
 * worker's drawing.
 */
export function decimateMarks(
  grid: PixelGrid,
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  marked: ArrayLike<number>,
  runs?: readonly RowRun[],
  arrays: GridArrays = newArrays
): { y: Float64Array; t: Float64Array; count: number } {
  return decimate(grid, times, values, marked, runs, arrays);
}

/** Rows first..last (inclusive) of a series. */
export interface RowRun {
  first: number;
  last: number;
}

function decimate(
  grid: PixelGrid,
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  marked: ArrayLike<number>,
  /** Only these rows (ascending, disjoint); all rows when absent. */
  runs: readonly RowRun[] | undefined,
  arrays: GridArrays
): { y: Float64Array; t: Float64Array; count: number } {
  const y = emptySlots(grid, arrays);
  const t = emptySlots(grid, arrays);
  // columnOf's arithmetic, with the column width and the first column computed once.
  const { fromMs, toMs } = grid;
  const width = columnWidth(grid);
  const first = firstColumn(grid);
  const lastColumn = grid.columns - 1;
  let count = 0;
  let column = -1;
  let min = NaN;
  let max = NaN;
  let minAt = NaN;
  let maxAt = NaN;
  const ranges = runs === undefined ? 1 : runs.length;
  for (let r = 0; r < ranges; r++) {
    const from = runs === undefined ? 0 : Math.max(0, runs[r].first);
    const to = runs === undefined ? times.length : Math.min(times.length, runs[r].last + 1);
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (Number.isNaN(v) || !marked[i]) {
        continue;
      }
      const at = times[i];
      if (!(at >= fromMs && at <= toMs)) {
        continue;
      }
      const c = Math.min(lastColumn, Math.floor(at / width) - first);
      count++;
      if (c !== column) {
        flushColumn(y, t, column, min, minAt, max, maxAt, false);
        column = c;
        min = max = v;
        minAt = maxAt = at;
      } else if (v < min) {
        min = v;
        minAt = at;
      } else if (v > max) {
        max = v;
        maxAt = at;
      }
    }
  }
  flushColumn(y, t, column, min, minAt, max, maxAt, false);
  return { y, t, count };
}

/**
 * A column's min and max into its two slots, in the order they occur; a single point in slot 0, and for a line
 * (`both`) in slot 1 too, so the line passes through it.
 */
function flushColumn(
  y: Float64Array,
  t: Float64Array | undefined,
  column: number,
  min: number,
  minAt: number,
  max: number,
  maxAt: number,
  both: boolean
): void {
  if (column < 0 || Number.isNaN(min)) {
    return;
  }
  const a = minAt <= maxAt ? 0 : 1;
  const single = minAt === maxAt;
  y[2 * column + a] = min;
  if (single) {
    if (both) {
      y[2 * column + 1] = min;
    }
  } else {
    y[2 * column + 1 - a] = max;
  }
  if (t) {
    t[2 * column + a] = minAt;
    if (single) {
      if (both) {
        t[2 * column + 1] = minAt;
      }
    } else {
      t[2 * column + 1 - a] = maxAt;
    }
  }
}

/** Regions (start/end epoch ms, ascending) merged when less than `gapMs` apart: pairs [start0, end0, start1, ...]. */
export function mergeRegions(regions: ReadonlyArray<{ start: number; end: number }>, gapMs: number): Float64Array {
  const merged: number[] = [];
  for (const region of regions) {
    const n = merged.length;
    if (n > 0 && region.start - merged[n - 1] < gapMs) {
      merged[n - 1] = Math.max(merged[n - 1], region.end);
    } else {
      merged.push(region.start, region.end);
    }
  }
  return Float64Array.from(merged);
}
