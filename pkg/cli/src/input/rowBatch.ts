/**
 * A batch of typed rows in columns: what a pass over a whole input hands from the reader to the scorers and the
 * outputs, without an object per row.
 */
import type { RecordBatch } from './recordBatches';
import type { ParsedRow, RowReader } from './rowReader';

export interface RowBatch {
  size: number;
  /** Line of each row in the input. */
  lines: Float64Array;
  /** As written in the input. */
  timestampMs: Float64Array;
  /** Strictly increasing within a group: what the engine sees (see RowReader). */
  orderMs: Float64Array;
  /** Index of each row's group in `groups` (all 0 without --group-by). */
  groupIndex: Int32Array;
  /** Per metric, its value in each row (NaN = missing). */
  values: Float64Array[];
  /** How many metrics each row is missing (see isScoredRow). */
  missing: Int32Array;
}

/** Group names in order of first appearance, with their index. */
export class GroupIndex {
  readonly names: string[] = [];
  private readonly indexes = new Map<string, number>();
  // Rows of a group come in runs: the last name looked up answers without the map.
  private lastName: string | undefined;
  private lastIndex = -1;

  constructor(names: Iterable<string> = []) {
    for (const name of names) {
      this.indexOf(name);
    }
  }

  indexOf(name: string): number {
    if (name === this.lastName) {
      return this.lastIndex;
    }
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.indexes.set(name, index);
      this.names.push(name);
    }
    this.lastName = name;
    this.lastIndex = index;
    return index;
  }
}

/**
 * Reads records [from, to) of `records` into a batch.
 * @throws InputError (from the RowReader) at the first bad record
 */
export function readRowBatch(
  records: RecordBatch,
  from: number,
  to: number,
  reader: RowReader,
  groups: GroupIndex
): RowBatch {
  const size = to - from;
  const metrics = reader.schema.metricIndexes.length;
  const batch = emptyBatch(size, metrics);
  for (let row = 0; row < size; row++) {
    const r = from + row;
    const line = records.line(r);
    const timestampMs = reader.readTimestamp(records, r);
    const group = reader.readGroup(records, r);
    batch.lines[row] = line;
    batch.timestampMs[row] = timestampMs;
    batch.orderMs[row] = reader.checkOrder(line, group, timestampMs);
    batch.groupIndex[row] = groups.indexOf(group);
    for (let m = 0; m < metrics; m++) {
      const value = reader.readMetric(records, r, m);
      batch.values[m][row] = value;
      if (Number.isNaN(value)) {
        batch.missing[row]++;
      }
    }
  }
  return batch;
}

/** A batch of one parsed row (the live stream scores rows one at a time). */
export function singleRowBatch(row: ParsedRow, groupIndex: number): RowBatch {
  const batch = emptyBatch(1, row.values.length);
  batch.lines[0] = row.line;
  batch.timestampMs[0] = row.timestampMs;
  batch.orderMs[0] = row.orderMs;
  batch.groupIndex[0] = groupIndex;
  row.values.forEach((value, m) => (batch.values[m][0] = value));
  batch.missing[0] = row.missing;
  return batch;
}

/** Rows [from, to) of a batch, in arrays of their own (a batch posted to the scoring thread is copied whole). */
export function sliceRowBatch(batch: RowBatch, from: number, to: number): RowBatch {
  return {
    size: to - from,
    lines: batch.lines.slice(from, to),
    timestampMs: batch.timestampMs.slice(from, to),
    orderMs: batch.orderMs.slice(from, to),
    groupIndex: batch.groupIndex.slice(from, to),
    values: batch.values.map((column) => column.slice(from, to)),
    missing: batch.missing.slice(from, to),
  };
}

export function emptyBatch(size: number, metrics: number): RowBatch {
  return {
    size,
    lines: new Float64Array(size),
    timestampMs: new Float64Array(size),
    orderMs: new Float64Array(size),
    groupIndex: new Int32Array(size),
    values: Array.from({ length: metrics }, () => new Float64Array(size)),
    missing: new Int32Array(size),
  };
}
