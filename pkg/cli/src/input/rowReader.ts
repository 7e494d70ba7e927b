/**
 * Turns raw records into typed rows: epoch-ms timestamp, group, metric values (NaN = missing). Refuses, with the
 * line and column, unparseable timestamps and non-numeric cells.
 *
 * Timestamps that do not increase within a group (a duplicate, or an hour repeated by a clock change) are kept in
 * file order: real exports have them, and refusing the file gives the user nothing. Such a row is ordered the least
 * time after the row before it (`orderMs`, what the engine sees; outputs keep the timestamp as written) and counted, so
 * the host can warn. Rows are never reordered: the features look back in file order. With `strict` they are
 * refused instead, with the line and column.
 */
import type { DetectorMode } from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import { cellText, parseMetricCell } from './cells';
import type { InputSchema } from './inputSchema';
import type { RawRecord } from './rawRecords';
import { RawRecordBatch, type RecordBatch } from './recordBatches';
import { epochToMilliseconds, formatTimestamp, inTimestampRange, timestampOrProblem } from './timestamp';

export interface ParsedRow {
  line: number;
  /** As written in the input. */
  timestampMs: number;
  /** Strictly increasing within the group: timestampMs, or just after the previous row (see the file comment). */
  orderMs: number;
  /** '' without --group-by. */
  group: string;
  values: Float64Array;
  /** How many selected metrics are missing (NaN): see isScoredRow. */
  missing: number;
}

/**
 * Whether a row with `missing` of its `metrics` values missing is scored: a complete row always; with `partialRows`
 * (per-series models, which score each metric on its own points) a row with a value of some metric too.
 */
export function isScoredRow(missing: number, metrics: number, partialRows: boolean): boolean {
  return missing === 0 || (partialRows && missing < metrics);
}

/**
 * Whether a run scores rows missing some metrics for the others (isScoredRow's `partialRows`): per-series models in
 * batch mode, which score each metric on its own points as the panel and the proxy do; online, every model
 * (OnlineDetector) takes complete rows only. `mode` is the models' (a loaded model's, or the flags').
 */
export function partialRowsScored(mode: DetectorMode | undefined, online: boolean): boolean {
  return mode === 'per-column' && !online;
}

/** Rows whose timestamp did not increase, kept in file order. */
export interface TimestampRepairs {
  rows: number;
  /** Line of the first such row. */
  firstLine: number;
}

export class RowReader {
  private readonly lastByGroup = new Map<string, { timestampMs: number; line: number }>();
  readonly repairs: TimestampRepairs = { rows: 0, firstLine: 0 };

  constructor(
    readonly schema: InputSchema,
    readonly strict = false
  ) {}

  /** A record read on its own (a live stream's line). */
  read(record: RawRecord): ParsedRow {
    return this.readRow(new RawRecordBatch([record]), 0);
  }

  /** Record `r` of a batch as a typed row. @throws InputError at a bad cell */
  readRow(batch: RecordBatch, r: number): ParsedRow {
    const line = batch.line(r);
    const timestampMs = this.readTimestamp(batch, r);
    const group = this.readGroup(batch, r);
    const values = new Float64Array(this.schema.metricIndexes.length);
    let missing = 0;
    for (let m = 0; m < values.length; m++) {
      values[m] = this.readMetric(batch, r, m);
      missing += Number.isNaN(values[m]) ? 1 : 0;
    }
    // Ordered once the whole row is read: a row refused at a cell (which `stream` skips) leaves the group's clock as
    // it was (a review: one bad row moved it on, and every later row of an older time was retimed after it).
    const orderMs = this.checkOrder(line, group, timestampMs);
    return { line, timestampMs, orderMs, group, values, missing };
  }

  /** Record r's value of metric `m` (NaN = missing). @throws InputError for a cell that is not a number */
  readMetric(batch: RecordBatch, r: number, m: number): number {
    const { schema } = this;
    const index = schema.metricIndexes[m];
    const value = batch.number(r, index);
    if (!Number.isNaN(value)) {
      return value;
    }
    const parsed = parseMetricCell(batch.cell(r, index));
    if (parsed.kind === 'invalid') {
      throw new InputError(
        { source: schema.source, ...batch.where(r, index) },
        `column "${schema.metricNames[m]}": ${parsed.reason}`
      );
    }
    return parsed.kind === 'number' ? parsed.value : NaN;
  }

  readTimestamp(batch: RecordBatch, r: number): number {
    const { schema } = this;
    // A plain decimal cell is an epoch number: what parseTimestamp makes of it, without making the cell.
    const epoch = batch.number(r, schema.timestampIndex);
    if (!Number.isNaN(epoch)) {
      const epochMs = epochToMilliseconds(epoch);
      if (inTimestampRange(epochMs)) {
        return epochMs;
      }
      // Outside the years 0000 to 9999: refused below, naming the cell.
    }
    const cell = batch.cell(r, schema.timestampIndex);
    const where = { source: schema.source, ...batch.where(r, schema.timestampIndex) };
    const column = schema.header[schema.timestampIndex];
    if (typeof cell !== 'string' && typeof cell !== 'number') {
      throw new InputError(where, `timestamp column "${column}" is empty`);
    }
    if (typeof cell === 'string' && cell.trim() === '') {
      throw new InputError(where, `timestamp column "${column}" is empty`);
    }
    const timestampMs = timestampOrProblem(cell);
    if (typeof timestampMs === 'string' || Number.isNaN(timestampMs)) {
      const why =
        typeof timestampMs === 'string' && timestampMs !== ''
          ? `: ${timestampMs}`
          : ' (expected ISO-8601 such as 2024-05-01T12:00:00Z or epoch seconds, milliseconds, microseconds or nanoseconds)';
      throw new InputError(where, `cannot parse timestamp "${cellText(cell)}"${why}`);
    }
    return timestampMs;
  }

  readGroup(batch: RecordBatch, r: number): string {
    const { schema } = this;
    if (schema.groupIndex < 0) {
      return '';
    }
    const group = cellText(batch.cell(r, schema.groupIndex));
    if (group === '' || group.includes('\ufffd')) {
      // U+FFFD is what bytes that are not UTF-8 decode to: "caf\xE9" and "caf\xE8" (Latin-1) were one group (a review).
      throw new InputError(
        { source: schema.source, ...batch.where(r, schema.groupIndex) },
        group === ''
          ? `group column "${schema.header[schema.groupIndex]}" is empty`
          : `group column "${schema.header[schema.groupIndex]}": "${group}" holds U+FFFD, which bytes that are not ` +
              'UTF-8 decode to (a group name may not hold it: different bytes would be one group); save the file as UTF-8'
      );
    }
    return group;
  }

  /** The row's order timestamp (see the file comment). @throws InputError in strict mode for a non-increasing one */
  checkOrder(line: number, group: string, timestampMs: number): number {
    const previous = this.lastByGroup.get(group);
    if (previous === undefined) {
      this.lastByGroup.set(group, { timestampMs, line });
      return timestampMs;
    }
    if (timestampMs > previous.timestampMs) {
      previous.timestampMs = timestampMs;
      previous.line = line;
      return timestampMs;
    }
    if (this.strict) {
      const what = timestampMs === previous.timestampMs ? 'duplicate timestamp' : 'timestamps out of order';
      const inGroup = group === '' ? '' : ` in group "${group}"`;
      throw new InputError(
        { source: this.schema.source, line, column: this.schema.timestampIndex + 1 },
        `${what}${inGroup}: ${formatTimestamp(timestampMs)} does not come after ${formatTimestamp(previous.timestampMs)} ` +
          `(line ${previous.line}); --strict refuses timestamps that do not strictly increase`
      );
    }
    if (this.repairs.rows++ === 0) {
      this.repairs.firstLine = line;
    }
    // The least time after the previous row's: a row 1 ms after it made every row of finer data (µs, ns epochs) in
    // the next millisecond "not increasing" too (a review: 290 rows retimed for one duplicate).
    previous.timestampMs = nextAfter(previous.timestampMs);
    previous.line = line;
    return previous.timestampMs;
  }
}

const nextAfterBits = new Float64Array(1);
const nextAfterWords = new BigInt64Array(nextAfterBits.buffer);

/** The least double greater than finite `x`. */
export function nextAfter(x: number): number {
  if (x === 0) {
    return Number.MIN_VALUE;
  }
  nextAfterBits[0] = x;
  nextAfterWords[0] += x > 0 ? 1n : -1n;
  return nextAfterBits[0];
}
