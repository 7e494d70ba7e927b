/**
 * The records of an input in batches (one per chunk read), for the passes over a whole file: no object, array or
 * string per row where the input allows it.
 *
 * CSV is read as bytes, line by line, while every line is a plain record: no quote, no stray carriage return, no
 * NUL and as many fields as the header (the telemetry exports this tool meets: numbers and names). Such a line is
 * split at its commas, which is exactly what csv-parse makes of it, line numbers included; its cells stay bytes
 * until a reader asks for one (RecordBatch#cell), and numbers are read from the bytes (RecordBatch#number). At the
 * first line that is anything else (quoting, multi-line fields, a ragged row, binary data), the input is read again
 * with csv-parse, whose records and errors are then the answer; the records already handed out are skipped, as
 * csv-parse gives the same ones for those plain lines. JSON and NDJSON come from readRawRecords, grouped.
 */
import type { Readable } from 'stream';
import { plainNumber } from './cells';
import type { InputFormat } from './inputFormat';
import { allObjectKeys, readRawRecords, startsAsBinary, type Cell, type RawRecord } from './rawRecords';
import { MAX_RECORD_BYTES, recordTooLong } from './recordLimit';

/** Records handed out per batch at most (JSON/NDJSON; a CSV batch is one chunk of the file). */
const RECORDS_PER_BATCH = 8192;

/** Records read together; each cell on demand. */
export interface RecordBatch {
  readonly size: number;
  /** Line of record `record` (as RawRecord#line). */
  line(record: number): number;
  /**
   * Where to point at cell `field` of record `record`: its line, and the field's number as the column, or for a JSON
   * array element the character column where the element starts (RawRecord#column).
   */
  where(record: number, field: number): { line: number; column: number };
  /** Cell `field` of record `record`, as RawRecord#cells holds it (undefined past the record's end). */
  cell(record: number, field: number): Cell;
  /**
   * The row readers' fast path: the cell's value when it is a plain finite number (then what plainNumber gives),
   * read without making the cell where possible; NaN when it is not, or not read that way: the reader then takes
   * the cell (parseMetricCell, parseTimestamp), which gives the same value for every number, once.
   */
  number(record: number, field: number): number;
  /** The whole record. */
  record(record: number): RawRecord;
}

/**
 * @param opened told of each stream the records are read from (not of the pass that reads a JSON input's keys)
 */
export async function* readRecordBatches(
  open: () => Readable,
  format: InputFormat,
  source: string,
  opened?: (stream: Readable) => void
): AsyncGenerator<RecordBatch> {
  // `open` itself, not a wrapper, goes to objectKeys: it keys the pass that every later pass reuses.
  const openRecords = () => {
    const stream = open();
    opened?.(stream);
    return stream;
  };
  if (format !== 'csv') {
    yield* grouped(
      readRawRecords(openRecords(), format, source, false, undefined, { keys: await objectKeys(open, format, source) })
    );
    return;
  }
  const plain = new PlainCsvLines(source);
  const stream = openRecords();
  let textFromStart = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // Binary or compressed data in the first chunk: readRawRecords says what it is (its first check) before a
      // header read here from its first bytes is judged (a review: "no timestamp column", csv-parse's words).
      if (plain.recordsTaken === 0 && startsAsBinary(chunk)) {
        textFromStart = false;
        break;
      }
      const batch = plain.take(chunk);
      if (batch.size > 0) {
        yield batch;
      }
      if (plain.stopped) {
        break;
      }
    }
    if (textFromStart && !plain.stopped) {
      const batch = plain.end();
      if (batch.size > 0) {
        yield batch;
      }
    }
  } finally {
    stream.destroy();
  }
  if (!textFromStart || plain.stopped) {
    yield* grouped(skipRecords(readRawRecords(openRecords(), 'csv', source), plain.recordsTaken));
  }
}

/** Per input (its open function), every key of its objects: read in a pass of their own, once for all the passes. */
const objectKeysOfInput = new WeakMap<() => Readable, Promise<string[]>>();

/** The header of a JSON or NDJSON input: every key of its objects, not the first object's alone (allObjectKeys). */
function objectKeys(open: () => Readable, format: 'json' | 'ndjson', source: string): Promise<string[]> {
  let keys = objectKeysOfInput.get(open);
  if (keys === undefined) {
    keys = allObjectKeys(open(), format, source);
    objectKeysOfInput.set(open, keys);
  }
  return keys;
}

/**
 * The data records of an input whose header the first pass (scanInput) has read and checked: each batch with the
 * index of its first data record (1 in the batch that starts with the header, else 0).
 */
export async function* readDataRecordBatches(
  open: () => Readable,
  format: InputFormat,
  source: string
): AsyncGenerator<{ records: RecordBatch; first: number }> {
  let first = 1;
  for await (const records of readRecordBatches(open, format, source)) {
    yield { records, first };
    first = 0;
  }
}

/** A batch of whole records (JSON, NDJSON, csv-parse's CSV, or one record of a live stream). */
export class RawRecordBatch implements RecordBatch {
  constructor(private readonly records: RawRecord[]) {}

  get size(): number {
    return this.records.length;
  }

  line(record: number): number {
    return this.records[record].line;
  }

  where(record: number, field: number): { line: number; column: number } {
    const { line, column, object } = this.records[record];
    if (column === undefined && object !== undefined) {
      // NDJSON: the key's position in its row (a review: it was its position among every row's keys); a key the
      // row leaves out has none, and is placed by the header.
      const position = Object.keys(object.value).indexOf(object.header[field]);
      return { line, column: position >= 0 ? position + 1 : field + 1 };
    }
    return { line, column: column ?? field + 1 };
  }

  cell(record: number, field: number): Cell {
    return this.records[record].cells[field];
  }

  number(record: number, field: number): number {
    return plainNumber(this.records[record].cells[field]);
  }

  record(record: number): RawRecord {
    return this.records[record];
  }
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;
const COMMA = 44;
const NUL = 0;
const SPACE = 32;
const TAB = 9;
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/**
 * Plain CSV lines of one chunk: the chunk's bytes and, per record, where its fields start. Record r's field f
 * spans bytes [bounds[r * (width + 1) + f], bounds[r * (width + 1) + f + 1] - 1).
 */
class CsvBytesBatch implements RecordBatch {
  constructor(
    private readonly bytes: Buffer,
    private readonly width: number,
    private readonly bounds: Int32Array,
    private readonly lines: Int32Array,
    readonly size: number
  ) {}

  line(record: number): number {
    return this.lines[record];
  }

  where(record: number, field: number): { line: number; column: number } {
    return { line: this.lines[record], column: field + 1 };
  }

  cell(record: number, field: number): Cell {
    if (field >= this.width) {
      return undefined;
    }
    const at = record * (this.width + 1) + field;
    return this.bytes.toString('utf8', this.bounds[at], this.bounds[at + 1] - 1);
  }

  number(record: number, field: number): number {
    if (field >= this.width) {
      return NaN;
    }
    const at = record * (this.width + 1) + field;
    return decimalAt(this.bytes, this.bounds[at], this.bounds[at + 1] - 1);
  }

  record(record: number): RawRecord {
    const cells: string[] = [];
    for (let field = 0; field < this.width; field++) {
      cells.push(this.cell(record, field) as string);
    }
    return { line: this.lines[record], cells };
  }
}

/** Exact powers of ten: 10^k for k <= 22 is a double, so digits / 10^k is rounded once, as Number() rounds. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The value of bytes [start, end) when they are a decimal number of at most 15 digits without exponent (`-12.5`,
 * `.5`, `3.`): the mantissa is then an exact integer below 2^53 and one division by an exact power of ten gives the
 * correctly rounded double, which is what Number() gives (Clinger's fast path). NaN for anything else, which the
 * caller reads through the cell's text.
 */
function decimalAt(bytes: Buffer, start: number, end: number): number {
  let at = start;
  const sign = bytes[at];
  if (sign === 45 || sign === 43) {
    at++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let dot = false;
  for (; at < end; at++) {
    const code = bytes[at];
    if (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      digits++;
      if (dot) {
        fractionDigits++;
      }
    } else if (code === 46 && !dot) {
      dot = true;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) {
    return NaN;
  }
  const value = mantissa / POWERS_OF_TEN[fractionDigits];
  return sign === 45 ? -value : value;
}

/** Splits CSV bytes into records line by line until a line is not a plain record (then `stopped`). */
class PlainCsvLines {
  constructor(private readonly source: string) {}

  stopped = false;
  recordsTaken = 0;
  /** The bytes of the line not yet ended, as read: joined once it ends (joined per chunk, a long line is quadratic). */
  private rest: Buffer[] = [];
  private restBytes = 0;
  private lineNumber = 0;
  /** Fields per record: the first record's (the header's). */
  private width = -1;
  /** Whether lines end with CR LF, as the first line does: a line that ends otherwise is left to csv-parse. */
  private crlf: boolean | undefined;
  // The batch being filled (reset per chunk).
  private bounds = new Int32Array(0);
  private lines = new Int32Array(0);
  private count = 0;

  take(chunk: Buffer): RecordBatch {
    if (this.restBytes > 0 && !chunk.includes(NEWLINE)) {
      this.keep(chunk);
      this.startBatch(chunk);
      return this.batch(chunk); // no record
    }
    const bytes = this.restBytes > 0 ? Buffer.concat([...this.rest, chunk]) : chunk;
    // Most chunks have no quote, NUL or carriage return at all: then no line needs looking at for them.
    const plain = !bytes.includes(QUOTE) && !bytes.includes(NUL) && !bytes.includes(CARRIAGE_RETURN);
    this.startBatch(bytes);
    const start = this.endedLines(bytes, plain);
    if (start < 0) {
      return this.batch(bytes);
    }
    this.rest = [];
    this.restBytes = 0;
    this.keep(Buffer.from(bytes.subarray(start)));
    return this.batch(bytes);
  }

  /**
   * Adds the ended lines of `bytes` as records: the offset after the last newline, or -1 once a line is not a plain
   * record. The loop alone in its function: V8 compiles it on stack replacement, and code after it in the same call
   * would leave that code on every chunk (Node's --trace-deopt).
   */
  private endedLines(bytes: Buffer, plain: boolean): number {
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      if (end < 0) {
        return start;
      }
      if (!this.line(bytes, start, end, true, plain)) {
        return -1;
      }
      start = end + 1;
    }
  }

  /** Holds bytes of the line not yet ended; refuses a line over MAX_RECORD_BYTES. */
  private keep(bytes: Buffer): void {
    this.rest.push(bytes);
    this.restBytes += bytes.length;
    if (this.restBytes > MAX_RECORD_BYTES) {
      if (this.rest.some((piece) => piece.includes(CARRIAGE_RETURN))) {
        // A CR alone ends a line too (an old Mac file): csv-parse, which ends records at CR, reads the input (a
        // review: a valid CR-only file over the limit was refused as one line too long).
        this.rest = [];
        this.restBytes = 0;
        this.stop();
        return;
      }
      throw recordTooLong(this.source, this.lineNumber + 1, `line ${this.lineNumber + 1}`);
    }
  }

  end(): RecordBatch {
    const bytes = Buffer.concat(this.rest);
    this.startBatch(bytes);
    if (bytes.length > 0) {
      this.line(bytes, 0, bytes.length, false, false);
    }
    return this.batch(bytes);
  }

  private startBatch(bytes: Buffer): void {
    this.count = 0;
    // A first guess at the chunk's records (lines grows when a chunk has more): telemetry rows are 8+ bytes long.
    const capacity = Math.max(4, bytes.length >> 3);
    if (this.lines.length < capacity) {
      this.lines = new Int32Array(capacity);
    }
  }

  private batch(bytes: Buffer): RecordBatch {
    const stride = this.width + 1;
    return new CsvBytesBatch(
      bytes,
      this.width,
      this.bounds.slice(0, this.count * stride),
      this.lines.slice(0, this.count),
      this.count
    );
  }

  /**
   * Adds the line [start, end) of `bytes` (without its newline) as a record (if not blank); false, and `stopped`,
   * if it is not a plain record.
   * @param plain the chunk has no quote, NUL or carriage return
   */
  private line(bytes: Buffer, start: number, end: number, terminated: boolean, plain: boolean): boolean {
    this.lineNumber++;
    if (end - start > MAX_RECORD_BYTES) {
      throw recordTooLong(this.source, this.lineNumber, `line ${this.lineNumber}`);
    }
    if (this.lineNumber === 1 && BYTE_ORDER_MARK.every((byte, i) => bytes[start + i] === byte)) {
      start += BYTE_ORDER_MARK.length;
    }
    if (!plain) {
      if (terminated) {
        const endsWithCr = end > start && bytes[end - 1] === CARRIAGE_RETURN;
        this.crlf ??= endsWithCr;
        if (endsWithCr !== this.crlf) {
          return this.stop();
        }
        if (endsWithCr) {
          end--;
        }
      }
      for (let at = start; at < end; at++) {
        const code = bytes[at];
        if (code === QUOTE || code === CARRIAGE_RETURN || code === NUL) {
          return this.stop();
        }
      }
    } else if (terminated && this.crlf === true) {
      return this.stop(); // a line without the CR LF the first line had
    } else if (terminated) {
      this.crlf = false;
    }
    if (isBlank(bytes, start, end)) {
      return true; // a blank line, skipped as readRawRecords skips it (isBlankLine); other whitespace is left to it
    }
    if (this.width < 0) {
      this.width = 1;
      for (let at = start; at < end; at++) {
        this.width += bytes[at] === COMMA ? 1 : 0;
      }
    }
    const stride = this.width + 1;
    if (this.bounds.length < (this.count + 1) * stride) {
      const grown = new Int32Array(Math.max(this.lines.length, this.count + 1) * stride);
      grown.set(this.bounds);
      this.bounds = grown;
    }
    const base = this.count * stride;
    let field = 0;
    this.bounds[base] = start;
    for (let at = start; at < end; at++) {
      if (bytes[at] === COMMA) {
        if (++field === this.width) {
          return this.stop(); // more fields than the header
        }
        this.bounds[base + field] = at + 1;
      }
    }
    if (field !== this.width - 1) {
      return this.stop(); // fewer fields than the header
    }
    this.bounds[base + this.width] = end + 1;
    if (this.count === this.lines.length) {
      const grown = new Int32Array(this.lines.length * 2);
      grown.set(this.lines);
      this.lines = grown;
    }
    this.lines[this.count++] = this.lineNumber;
    this.recordsTaken++;
    return true;
  }

  private stop(): false {
    this.stopped = true;
    return false;
  }
}

/** Whether bytes [start, end) are nothing but spaces and tabs (or nothing). */
function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    if (bytes[at] !== SPACE && bytes[at] !== TAB) {
      return false;
    }
  }
  return true;
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

async function* grouped(records: AsyncIterable<RawRecord>): AsyncGenerator<RecordBatch> {
  let batch: RawRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length === RECORDS_PER_BATCH) {
      yield new RawRecordBatch(batch);
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield new RawRecordBatch(batch);
  }
}
