import type { SeriesTable } from './types';

/** Rows appended one at a time, handed to the engine as a SeriesTable (typed arrays, grown by doubling). */
export class SeriesBuffer {
  private timestamps: Float64Array;
  private columns: Float64Array[];
  private count = 0;

  constructor(
    readonly columnNames: string[],
    initialCapacity = 1024
  ) {
    this.timestamps = new Float64Array(initialCapacity);
    this.columns = columnNames.map(() => new Float64Array(initialCapacity));
  }

  get length(): number {
    return this.count;
  }

  push(timestampMs: number, values: ArrayLike<number>): void {
    if (this.count === this.timestamps.length) {
      this.grow();
    }
    this.timestamps[this.count] = timestampMs;
    for (let c = 0; c < this.columns.length; c++) {
      this.columns[c][this.count] = values[c];
    }
    this.count++;
  }

  /** Appends the rows `rows` (indexes, in order) of columnar data: one timestamp array, one array per column. */
  pushRows(timestamps: Float64Array, columns: readonly Float64Array[], rows: Int32Array): void {
    while (this.count + rows.length > this.timestamps.length) {
      this.grow();
    }
    gatherRows(this.timestamps, this.count, timestamps, rows);
    for (let c = 0; c < this.columns.length; c++) {
      gatherRows(this.columns[c], this.count, columns[c], rows);
    }
    this.count += rows.length;
  }

  /** Appends the rows [from, to) of columnar data (one array per column, in this buffer's order). */
  pushRange(timestamps: Float64Array, columns: readonly Float64Array[], from: number, to: number): void {
    while (this.count + (to - from) > this.timestamps.length) {
      this.grow();
    }
    this.timestamps.set(timestamps.subarray(from, to), this.count);
    for (let c = 0; c < this.columns.length; c++) {
      this.columns[c].set(columns[c].subarray(from, to), this.count);
    }
    this.count += to - from;
  }

  /** A table view of the rows [from, to); shares memory with the buffer. */
  table(from = 0, to = this.count): SeriesTable {
    return {
      timestamps: this.timestamps.subarray(from, to),
      columns: this.columnNames.map((name, c) => ({ name, values: this.columns[c].subarray(from, to) })),
    };
  }

  /**
   * How many of the last rows hold the last `values` values of every column (a missing value, NaN, is not one), or
   * every row when a column has fewer: the history a per-column model's lags and windows need when rows may miss
   * some of their columns. Rows with every column present need `values` rows.
   */
  rowsHoldingLast(values: number): number {
    let rows = Math.min(values, this.count);
    for (const column of this.columns) {
      let seen = 0;
      let row = this.count;
      while (row > 0 && seen < values) {
        row--;
        seen += Number.isNaN(column[row]) ? 0 : 1;
      }
      rows = Math.max(rows, this.count - row);
    }
    return rows;
  }

  /** Keeps only the last `rows` rows (moved to the front). */
  keepLast(rows: number): void {
    const from = Math.max(0, this.count - rows);
    this.timestamps.copyWithin(0, from, this.count);
    for (const column of this.columns) {
      column.copyWithin(0, from, this.count);
    }
    this.count -= from;
  }

  private grow(): void {
    const capacity = Math.max(16, this.timestamps.length * 2);
    const grown = new Float64Array(capacity);
    grown.set(this.timestamps);
    this.timestamps = grown;
    this.columns = this.columns.map((column) => {
      const bigger = new Float64Array(capacity);
      bigger.set(column);
      return bigger;
    });
  }
}

/**
 * target[at + i] = source[rows[i]] for each i. The loop alone in a function: V8 compiles a long loop on stack
 * replacement, and pushRows, called once per batch, left that code after its first loop on every call (84 times in
 * a run of the CLI on 1 M rows; Node's --trace-deopt).
 */
function gatherRows(target: Float64Array, at: number, source: Float64Array, rows: Int32Array): void {
  for (let i = 0; i < rows.length; i++) {
    target[at + i] = source[rows[i]];
  }
}
