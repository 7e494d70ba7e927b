/**
 * The records of an input in batches (one per chunk read), for the passes over a whole file: far fewer promises
 * and objects per row than a record at a time.
 *
 * CSV is read line by line while every line is a plain record: no quote, no stray carriage return and as many
 * fields as the header (the telemetry exports this tool meets: numbers and names). Such a line is split at its
 * commas, which is exactly what csv-parse makes of it, line numbers included. At the first line that is anything
 * else (quoting, multi-line fields, a ragged row, binary data), the input is read again with csv-parse, whose
 * records and errors are then the answer; the records already handed out are skipped, as csv-parse gives the same
 * ones for those plain lines. JSON and NDJSON come from readRawRecords, grouped.
 */
import type { Readable } from 'stream';
import type { InputFormat } from './inputFormat';
import { readRawRecords, type RawRecord } from './rawRecords';

/** Records handed out per batch at most (JSON/NDJSON; a CSV batch is one chunk of text). */
const RECORDS_PER_BATCH = 8192;
const BYTE_ORDER_MARK = '\uFEFF';

export async function* readRecordBatches(
  open: () => Readable,
  format: InputFormat,
  source: string
): AsyncGenerator<RawRecord[]> {
  if (format !== 'csv') {
    yield* grouped(readRawRecords(open(), format, source));
    return;
  }
  const plain = new PlainCsvLines();
  const stream = open();
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const records = plain.take(chunk);
      if (records.length > 0) {
        yield records;
      }
      if (plain.stopped) {
        break;
      }
    }
    if (!plain.stopped) {
      const records = plain.end();
      if (records.length > 0) {
        yield records;
      }
    }
  } finally {
    stream.destroy();
  }
  if (plain.stopped) {
    yield* grouped(skipRecords(readRawRecords(open(), 'csv', source), plain.recordsTaken));
  }
}

/** Splits CSV text into records line by line until a line is not a plain record (then `stopped`). */
class PlainCsvLines {
  stopped = false;
  recordsTaken = 0;
  private rest = '';
  private lineNumber = 0;
  private width = -1;
  /** Whether lines end with CR LF (decided by the first line, as csv-parse decides its record delimiter). */
  private crlf: boolean | undefined;

  take(chunk: string): RawRecord[] {
    const text = this.rest + chunk;
    // Most chunks have no quote, NUL or carriage return at all: then no line needs looking at for them.
    const plain = !text.includes('"') && !text.includes('\u0000') && !text.includes('\r');
    const records: RawRecord[] = [];
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end < 0) {
        break;
      }
      if (!this.line(text.slice(start, end), true, plain, records)) {
        return records;
      }
      start = end + 1;
    }
    this.rest = text.slice(start);
    return records;
  }

  end(): RawRecord[] {
    const records: RawRecord[] = [];
    if (this.rest !== '') {
      this.line(this.rest, false, false, records);
    }
    return records;
  }

  /**
   * Adds the line's record (if not blank); false, and `stopped`, if the line is not a plain record.
   * @param plain the line has no quote, NUL or carriage return (known from its chunk)
   */
  private line(raw: string, terminated: boolean, plain: boolean, records: RawRecord[]): boolean {
    this.lineNumber++;
    let line = this.lineNumber === 1 && raw.startsWith(BYTE_ORDER_MARK) ? raw.slice(1) : raw;
    if (!plain) {
      if (terminated) {
        const endsWithCr = line.endsWith('\r');
        this.crlf ??= endsWithCr;
        if (endsWithCr !== this.crlf) {
          return this.stop();
        }
        if (endsWithCr) {
          line = line.slice(0, -1);
        }
      }
      if (line.includes('"') || line.includes('\r') || line.includes('\u0000')) {
        return this.stop();
      }
    } else if (terminated && this.crlf === true) {
      return this.stop(); // a line without the CR LF the first line had
    } else if (terminated) {
      this.crlf = false;
    }
    if (line === '') {
      return true; // csv-parse skips empty lines too
    }
    const cells = line.split(',');
    if (this.width >= 0 && cells.length !== this.width) {
      return this.stop();
    }
    this.width = cells.length;
    records.push({ line: this.lineNumber, cells });
    this.recordsTaken++;
    return true;
  }

  private stop(): false {
    this.stopped = true;
    return false;
  }
}

async function* skipRecords(records: AsyncIterable<RawRecord>, count: number): AsyncGenerator<RawRecord> {
  let skipped = 0;
  for await (const record of records) {
    if (skipped < count) {
      skipped++;
      continue;
    }
    yield record;
  }
}

async function* grouped(records: AsyncIterable<RawRecord>): AsyncGenerator<RawRecord[]> {
  let batch: RawRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length === RECORDS_PER_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield batch;
  }
}
