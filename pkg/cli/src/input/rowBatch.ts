/**
 * A batch of typed rows in columns: what a pass over a whole input hands from the reader to the scorers and the
 * outputs, without an object per row.
 */
import type { RawRecord } from './rawRecords';
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
  /** 1 where some metric is missing: the row is not scored. */
  missing: Uint8Array;
}

/** Group names in order of first appearance, with their index. */
export class GroupIndex {
  readonly names: string[] = [];
  private readonly indexes = new Map<string, number>();

  constructor(names: Iterable<string> = []) {
    for (const name of names) {
      this.indexOf(name);
    }
  }

  indexOf(name: string): number {
    let index = this.indexes.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.indexes.set(name, index);
      this.names.push(name);
    }
    return index;
  }
}

/** Reads records into a batch. @throws InputError (from the RowReader) at the first bad record */
export function readRowBatch(records: RawRecord[], reader: RowReader, groups: GroupIndex): RowBatch {
  const size = records.length;
  const metrics = reader.schema.metricIndexes.length;
  const batch = emptyBatch(size, metrics);
  for (let row = 0; row < size; row++) {
    const record = records[row];
    const timestampMs = reader.readTimestamp(record);
    const group = reader.readGroup(record);
    batch.lines[row] = record.line;
    batch.timestampMs[row] = timestampMs;
    batch.orderMs[row] = reader.checkOrder(record.line, group, timestampMs);
    batch.groupIndex[row] = groups.indexOf(group);
    for (let m = 0; m < metrics; m++) {
      const value = reader.readMetric(record, m);
      batch.values[m][row] = value;
      if (Number.isNaN(value)) {
        batch.missing[row] = 1;
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
  batch.missing[0] = row.missing ? 1 : 0;
  return batch;
}

function emptyBatch(size: number, metrics: number): RowBatch {
  return {
    size,
    lines: new Float64Array(size),
    timestampMs: new Float64Array(size),
    orderMs: new Float64Array(size),
    groupIndex: new Int32Array(size),
    values: Array.from({ length: metrics }, () => new Float64Array(size)),
    missing: new Uint8Array(size),
  };
}
