/**
 * The rows the check pass (scanInput) parsed, kept as RowBatches within a memory budget, so that scoring an input
 * that fits does not read and parse it a second time (parsing is about a fifth of the reading thread's work). They
 * are kept for every candidate metric column until the check has decided which columns are metrics (finish).
 */
import { statSync, type ReadStream } from 'fs';
import type { Readable } from 'stream';
import { emptyBatch, type RowBatch } from './rowBatch';

/** What the check pass of `detect` may keep: ~3.5 M rows of one metric, ~1.7 M rows of six. */
export const KEEP_PARSED_BYTES = 128 * 1024 * 1024;

/** Bytes a kept row takes: line, timestamp and order (Float64), group and missing count (Int32), the values. */
function rowBytes(candidates: number): number {
  return 8 * 3 + 4 + 4 + 8 * candidates;
}

export class KeptRows {
  /** undefined once the budget is spent: then nothing is kept. */
  private batches: RowBatch[] | undefined = [];
  private bytes = 0;

  constructor(
    private readonly candidates: number,
    private readonly budget = KEEP_PARSED_BYTES
  ) {}

  /**
   * A batch for the next `size` rows, with a value column per candidate; undefined once over the budget, or once the
   * rows of the whole input would be by the share of it read so far (then nothing is kept from the start).
   * @param shareRead the share of the input's bytes read so far, if known (inputShareRead)
   */
  next(size: number, shareRead?: number): RowBatch | undefined {
    if (this.batches === undefined) {
      return undefined;
    }
    this.bytes += size * rowBytes(this.candidates);
    const projected = shareRead !== undefined && shareRead > 0 ? this.bytes / shareRead : this.bytes;
    if (projected > this.budget) {
      this.batches = undefined;
      return undefined;
    }
    const batch = emptyBatch(size, this.candidates);
    this.batches.push(batch);
    return batch;
  }

  /**
   * The kept batches with the value columns of the metrics only (`metrics`: their positions among the candidates)
   * and each row's missing flag; undefined if the rows did not fit the budget.
   */
  finish(metrics: number[]): RowBatch[] | undefined {
    return this.batches?.map((batch) => {
      const values = metrics.map((c) => batch.values[c]);
      for (const column of values) {
        for (let row = 0; row < batch.size; row++) {
          if (Number.isNaN(column[row])) {
            batch.missing[row]++;
          }
        }
      }
      return { ...batch, values };
    });
  }
}

/** The share of a file's bytes a read stream has read so far; undefined for a stream not reading a file. */
export function inputShareRead(stream: Readable | undefined): number | undefined {
  const file = stream as Partial<ReadStream> | undefined;
  if (typeof file?.path !== 'string' || typeof file.bytesRead !== 'number') {
    return undefined;
  }
  let size = fileSizes.get(stream!);
  if (size === undefined) {
    size = statSync(file.path).size;
    fileSizes.set(stream!, size);
  }
  return size > 0 ? Math.min(1, file.bytesRead / size) : undefined;
}

const fileSizes = new WeakMap<Readable, number>();
