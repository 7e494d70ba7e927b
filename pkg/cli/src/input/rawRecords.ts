/**
 * Reads CSV, a JSON array of objects, or NDJSON as a stream of raw records, one at a time, so that files of any
 * size pass through in bounded memory. The first record is the header (CSV: its first row; JSON/NDJSON: the keys
 * of the first object); every following record holds one cell per header name.
 */
import type { Readable } from 'stream';
import { CsvError, parse as parseCsv } from 'csv-parse';
import { InputError } from '../errors';
import type { InputFormat } from './inputFormat';
import { refuseDuplicateKey } from './duplicateKeys';
import { invalidJsonError, splitJsonArray } from './jsonArraySplitter';
import { MAX_RECORD_BYTES, recordTooLong } from './recordLimit';

/** A cell as read: CSV gives text, JSON numbers, strings, null, booleans or nested values; undefined = absent key. */
export type Cell = unknown;

export interface RawRecord {
  /** 1-based line where the record ends (CSV, NDJSON) or starts (JSON array element). */
  line: number;
  /**
   * A JSON array element's 1-based character column where it starts: what tells apart rows that share a line (a
   * minified array). Absent: a cell's column is its field's number.
   */
  column?: number;
  cells: Cell[];
  /**
   * An NDJSON row's object and the header its cells follow: a cell's column is its key's position in the object,
   * the field's position in the row (not in the header, the keys of every row).
   */
  object?: { value: Record<string, unknown>; header: readonly string[] };
}

/**
 * @param lineByLine for live streams: hand out every CSV row as soon as its line is complete (csv-parse holds the
 *   last row of a chunk back until more data or EOF arrives). Rows must then be one line each (no line breaks
 *   inside quoted fields).
 * @param onBadRecord for live streams (line by line, CSV or NDJSON): a malformed line goes here and is skipped
 *   instead of ending the input; without it, the first one throws.
 */
/** Receives a malformed line's error; the line is then skipped. */
export type BadRecordHandler = (error: InputError) => void;

/** Binary input (a NUL byte) is not CSV, JSON or NDJSON text; said so instead of quoting the bytes. */
function binaryDataError(source: string, line: number): InputError {
  return new InputError({ source, line, column: 1 }, 'binary data (a NUL byte), not CSV, JSON or NDJSON text');
}

/**
 * The stream's first chunk, put back to be read again; undefined at once when it ends empty; the stream's error
 * (a directory, a file gone) thrown. Its listeners are removed as it resolves: a 'readable' listener left behind
 * would keep the stream from flowing, an 'error' one would turn a later error into an unhandled rejection.
 */
async function peekStart(stream: Readable): Promise<Buffer | undefined> {
  for (;;) {
    const chunk: unknown = stream.read();
    if (chunk !== null) {
      stream.unshift(chunk);
      return Buffer.isBuffer(chunk) ? chunk : undefined;
    }
    if (stream.readableEnded || stream.destroyed) {
      return undefined;
    }
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        stream.off('readable', settle).off('end', settle).off('error', settle);
        if (error instanceof Error) {
          reject(error);
        } else {
          resolve();
        }
      };
      stream.on('readable', settle).on('end', settle).on('error', settle);
    });
  }
}

/**
 * 'UTF-16BE' or 'UTF-16LE' when the input starts as UTF-16 text does (a byte-order mark, or ASCII with a zero byte
 * before or after each character), which would otherwise be read as binary data or a misplaced JSON value: refused.
 * csv-parse decodes UTF-16LE with its byte-order mark itself, so a CSV file read whole passes; read line by line
 * (`stream`) it does not (a review: "binary data (a NUL byte)").
 */
function utf16Encoding(start: Buffer | undefined, format: InputFormat, lineByLine: boolean): string | undefined {
  if (start === undefined || start.length < 2) {
    return undefined;
  }
  if (start[0] === 0xfe && start[1] === 0xff) {
    return 'UTF-16BE';
  }
  if (start[0] === 0xff && start[1] === 0xfe) {
    return format === 'csv' && !lineByLine ? undefined : 'UTF-16LE';
  }
  if (start.length >= 4 && start[0] !== 0 && start[1] === 0 && start[2] !== 0 && start[3] === 0) {
    return 'UTF-16LE';
  }
  if (start.length >= 4 && start[0] === 0 && start[1] !== 0 && start[2] === 0 && start[3] !== 0) {
    return 'UTF-16BE';
  }
  return undefined;
}

/** Throws `error`, or hands it to `onBadRecord` (which skips the record) when there is one. */
function reject(error: InputError, onBadRecord?: BadRecordHandler): void {
  if (!onBadRecord) {
    throw error;
  }
  onBadRecord(error);
}

/**
 * How JSON and NDJSON records get their header. `keys`: the given names (every key of the input, known from a pass
 * before: allObjectKeys); without them the first object's keys, and `onNewKey` hears of a key a later object
 * brings (a stream cannot go back: that key's values are left out).
 */
export interface ObjectHeader {
  keys?: readonly string[];
  onNewKey?: (key: string, line: number) => void;
}

export async function* readRawRecords(
  stream: Readable,
  format: InputFormat,
  source: string,
  lineByLine = false,
  onBadRecord?: BadRecordHandler,
  objectHeader: ObjectHeader = {}
): AsyncGenerator<RawRecord> {
  await refuseNonText(stream, format, source, lineByLine);
  switch (format) {
    case 'csv':
      yield* lineByLine ? readCsvLines(stream, source, onBadRecord) : readCsv(stream, source);
      return;
    case 'ndjson':
    case 'json':
      yield* objectsToRecords(readObjects(stream, format, source, onBadRecord), source, onBadRecord, objectHeader);
      return;
  }
}

/**
 * Refuses an input that is not UTF-8 text, from its first chunk: UTF-16 text (see utf16Encoding), compressed data,
 * binary data (a NUL byte, at its line; read line by line, that line is a bad row instead). csv-parse reads ahead of the records it hands out, so a gzip file was refused with its own words
 * ("Invalid Record Length: expect 4, got 1", or the bytes quoted) before the records' NUL check saw it (a review).
 */
async function refuseNonText(
  stream: Readable,
  format: InputFormat,
  source: string,
  lineByLine: boolean
): Promise<void> {
  const start = await peekStart(stream);
  const utf16 = utf16Encoding(start, format, lineByLine);
  if (utf16 !== undefined) {
    throw new InputError(
      { source, line: 1, column: 1 },
      `the input is ${utf16} text, not UTF-8: convert it first, e.g. iconv -f ${utf16} -t UTF-8 ${source} > converted`
    );
  }
  if (start === undefined || (start[0] === 0xff && start[1] === 0xfe)) {
    return; // empty, or UTF-16LE CSV, which csv-parse decodes itself
  }
  const compression = compressionOf(start);
  if (compression !== undefined) {
    throw new InputError(
      { source, line: 1, column: 1 },
      `${compression.name} data, not CSV, JSON or NDJSON text: decompress it first, or pipe it in with -i -: ` +
        `${compression.tool} -dc ${source} | telemetry-analyzer … -i -`
    );
  }
  // Read line by line (a live stream), a line with a NUL byte is a bad row, skipped as any other.
  const nul = lineByLine ? -1 : start.indexOf(0);
  if (nul >= 0) {
    let line = 1;
    for (let at = start.indexOf(10); at >= 0 && at < nul; at = start.indexOf(10, at + 1)) {
      line++;
    }
    throw binaryDataError(source, line);
  }
}

/** Whether an input's first chunk holds a NUL byte or starts as compressed data: not UTF-8 text (UTF-16 included). */
export function startsAsBinary(start: Buffer): boolean {
  return start.includes(0) || compressionOf(start) !== undefined;
}

function compressionOf(start: Buffer) {
  return COMPRESSED_FORMATS.find(({ magic }) => magic.every((byte, i) => start[i] === byte));
}

/**
 * Compressed files by their first bytes (none of which starts UTF-8 text), and the tool that decompresses each. Other
 * archives (zip, bzip2) hold NUL bytes early and are refused as binary data.
 */
const COMPRESSED_FORMATS = [
  { name: 'gzip-compressed', magic: [0x1f, 0x8b], tool: 'gzip' },
  { name: 'zstd-compressed', magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd' },
  { name: 'xz-compressed', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz' },
];

function readObjects(
  stream: Readable,
  format: 'json' | 'ndjson',
  source: string,
  onBadRecord?: BadRecordHandler
): AsyncGenerator<ParsedObject> {
  return format === 'ndjson' ? readNdjsonObjects(stream, source, onBadRecord) : splitJsonArray(stream, source);
}

/**
 * Every key of a JSON or NDJSON input's objects, in order of first appearance: the header of a file read in several
 * passes. Sparse exports (Telegraf, InfluxDB) leave out a null field, also in the first object; taking that object's
 * keys alone dropped the metric from every row without a word. Anything but an object is left to the passes to refuse.
 */
export async function allObjectKeys(stream: Readable, format: 'json' | 'ndjson', source: string): Promise<string[]> {
  await refuseNonText(stream, format, source, false);
  const keys = new Set<string>();
  for await (const { value } of readObjects(stream, format, source)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const key of Object.keys(value)) {
        keys.add(key);
      }
    }
  }
  return [...keys];
}

/**
 * A CSV record ends at CR LF, LF or CR, each line as it ends. csv-parse's own choice, the first line's ending for the
 * whole file, refused a file whose lines end both ways (exports joined from two systems) with "Invalid Record Length"
 * a line after the first change; a live stream's lines (readLines) are read this way too. CR LF is listed before CR,
 * so it is one ending.
 */
const RECORD_DELIMITERS = ['\r\n', '\n', '\r'];

/**
 * Whether a line is blank: empty, or nothing but whitespace (spaces, tabs). Skipped wherever it is, in CSV and NDJSON,
 * by every command, as an empty line is: `detect` refused "   " between two rows (one field where the header has more)
 * while `stream` skipped it (a review).
 */
export function isBlankLine(text: string): boolean {
  return text.trim() === '';
}

/** A record as csv-parse gives it with `info` and `raw`. */
interface CsvRecord {
  record: string[];
  info: { lines: number };
  raw: string;
}

async function* readCsv(stream: Readable, source: string): AsyncGenerator<RawRecord> {
  /** What csv-parse's line numbers are ahead by: the CR LFs inside quoted fields of the records parsed so far. */
  let drift = 0;
  const withLine = (parsed: CsvRecord & { line?: number }) => {
    if (parsed.raw.includes('\r\n')) {
      drift += parsed.raw.split('\r\n').length - 1;
    }
    parsed.line = parsed.info.lines - drift;
    return parsed;
  };
  const parser = stream.pipe(
    parseCsv({
      bom: true,
      skip_empty_lines: true,
      info: true,
      // The record as written, to tell a blank line (skipped) from a quoted blank field; and records of any length,
      // so that a blank line is not refused for its one field (the length is checked below).
      raw: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_BYTES,
      record_delimiter: RECORD_DELIMITERS,
      // csv-parse counts a CR LF inside a quoted field as two lines: its lines drift by one per such CR LF (a
      // review: an error on line 5 was said at line 6). Counted as records are parsed (ahead of the loop below),
      // so that an error is placed with the records before it: a record's raw text holds its own CR LFs (it ends
      // before the LF of the CR LF that ends it), and its line is where it ends.
      // (csv-parse's types do not know that `info` and `raw` make each record such an object.)
      on_record: withLine as unknown as (record: string[]) => string[],
    })
  );
  stream.on('error', (error) => parser.destroy(error));
  // The line the last whole record ended on: a quote never closed opens the record after it.
  let lastLine = 0;
  let width = -1;
  let header: RawRecord | undefined;
  try {
    for await (const { record, line, raw } of parser as AsyncIterable<CsvRecord & { line: number }>) {
      if (record.length === 1 && isBlankLine(raw)) {
        continue;
      }
      if (record.some((cell) => cell.includes('\u0000'))) {
        throw binaryDataError(source, line);
      }
      if (width < 0) {
        width = record.length;
        header = { line, cells: record };
      } else if (record.length !== width) {
        throw headerCommaError(source, header!, line, record.length) ?? fieldCountError(source, line, width, record);
      }
      lastLine = line;
      yield { line, cells: record };
    }
  } catch (error) {
    if (error instanceof CsvError && error.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse reports it at the end of the file, where the quoted field ran to: the row that holds it is the
      // one after the last whole record.
      throw new InputError(
        { source, line: lastLine + 1 },
        `malformed CSV: unclosed quote in the first row after line ${lastLine} (blank lines skipped): its quoted ` +
          'field runs to the end of the file'
      );
    }
    if (error instanceof CsvError && error.code === 'CSV_MAX_RECORD_SIZE') {
      // A quoted field over many lines (a plain line that long is refused before csv-parse reads the file), at the
      // line where it crossed the limit: where it starts is not known.
      const lines = (error as CsvError & { lines?: number }).lines;
      const line = lines === undefined ? lastLine + 1 : lines - drift;
      throw recordTooLong(source, line, `the record still open at line ${line}`);
    }
    throw csvErrorToInputError(error, source, drift);
  }
}

async function* readCsvLines(
  stream: Readable,
  source: string,
  onBadRecord?: BadRecordHandler
): AsyncGenerator<RawRecord> {
  let width = -1;
  let header: RawRecord | undefined;
  for await (const { lineNumber, text } of readLines(stream)) {
    if (text === undefined) {
      const error = recordTooLong(source, lineNumber, `line ${lineNumber}`);
      if (width < 0) {
        throw error; // the header line cannot be skipped
      }
      reject(error, onBadRecord);
      continue;
    }
    const line = lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (isBlankLine(line)) {
      continue;
    }
    let cells: string[];
    try {
      if (line.includes('\u0000')) {
        throw binaryDataError(source, lineNumber);
      }
      cells = splitCsvLine(line, source, lineNumber);
      if (width >= 0 && cells.length !== width) {
        const headerError = headerCommaError(source, header!, lineNumber, cells.length);
        if (headerError !== undefined) {
          throw headerError; // every such row would be skipped: the header is what is wrong
        }
        throw fieldCountError(source, lineNumber, width, cells);
      }
    } catch (error) {
      if (error instanceof InputError && error.location.line !== lineNumber) {
        throw error; // the header's
      }
      if (!(error instanceof InputError) || width < 0) {
        throw error; // the header line cannot be skipped
      }
      reject(error, onBadRecord);
      continue;
    }
    if (width < 0) {
      header = { line: lineNumber, cells };
    }
    width = cells.length;
    yield { line: lineNumber, cells };
  }
}

/**
 * A CSV row whose fields are not as many as the header's, at its first field past them (or its first missing one),
 * with the likely cause: `detect` and `stream` say it in the same words (detect gave csv-parse's "Invalid Record
 * Length: expect 4, got 5", a review).
 */
function fieldCountError(source: string, line: number, expected: number, cells: readonly string[]): InputError {
  const got = cells.length;
  const extra = cells.slice(expected);
  const cause =
    got < expected
      ? 'a value left out (an empty value keeps its comma: 1,,3) or a line cut short'
      : !extra.every((cell) => cell === '')
        ? 'a comma inside a value (quote the value: "1,5") or a column the header does not name'
        : extra.length === 1
          ? 'a trailing comma at the end of the line (remove it)'
          : 'trailing commas at the end of the line (remove them)';
  return new InputError(
    { source, line, column: Math.min(expected, got) + 1 },
    `malformed CSV: expected ${expected} fields, as in the header, got ${got}: likely ${cause}`
  );
}

/**
 * A row whose fields are as many as the header's names before the header's trailing empty ones: the header ends with
 * a comma the rows do not have, said at the header's first empty last field (a review: every row was refused as
 * "likely a value left out"). Undefined for any other row.
 */
function headerCommaError(source: string, header: RawRecord, line: number, got: number): InputError | undefined {
  const names = header.cells.map((cell) => String(cell ?? '').trim());
  let named = names.length;
  while (named > 0 && names[named - 1] === '') {
    named--;
  }
  if (named === names.length || got !== named) {
    return undefined;
  }
  const commas = names.length - named === 1 ? 'a comma' : `${names.length - named} commas`;
  return new InputError(
    { source, line: header.line, column: named + 1 },
    `malformed CSV: the header ends with ${commas} (an empty last field) that the rows do not have (line ${line} ` +
      `has ${got} fields): remove ${names.length - named === 1 ? 'it' : 'them'} from the header`
  );
}

/** Fields of one CSV line (RFC 4180 quoting: "a ""quoted"" field"). */
export function splitCsvLine(line: string, source: string, lineNumber: number): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) {
          throw new InputError({ source, line: lineNumber, column: cells.length + 1 }, 'malformed CSV: unclosed quote');
        }
        cell += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          cell += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      cells.push(cell);
      if (i < line.length && line[i] !== ',') {
        throw new InputError(
          { source, line: lineNumber, column: cells.length },
          'malformed CSV: text after a closing quote'
        );
      }
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const cell = line.slice(i, end);
      const quote = cell.indexOf('"');
      if (quote >= 0) {
        // A quote inside an unquoted field (we"b), or after a space ( "x"): refused in csv-parse's words, as detect
        // refuses it (a review: stream took it as text).
        throw new InputError(
          { source, line: lineNumber, column: cells.length + 1 },
          `malformed CSV: Invalid Opening Quote: a quote is found on field ${cells.length + 1}, value is ` +
            `${JSON.stringify(cell.slice(0, quote))}`
        );
      }
      cells.push(cell);
      i = end;
    }
    if (i >= line.length) {
      return cells;
    }
    i++; // the comma
    if (i === line.length) {
      cells.push('');
      return cells;
    }
  }
}

/** @param drift what csv-parse's line numbers are ahead by (CR LFs inside quoted fields before the error) */
function csvErrorToInputError(error: unknown, source: string, drift = 0): unknown {
  if (!(error instanceof CsvError)) {
    return error;
  }
  const lines = (error as CsvError & { lines?: number }).lines;
  const line = lines === undefined ? 1 : Math.max(1, lines - drift);
  // csv-parse quotes the offending field JSON-escaped: a NUL shows as the text \u0000.
  if (/\u0000|\\u0000/.test(error.message)) {
    return binaryDataError(source, line);
  }
  // csv-parse says "at line N"/"on line N"; the location prefix says that already. It counts fields from 0.
  const reason = error.message
    .replace(/\s*(?:at|on) line \d+\.?/, '')
    .replace(/\bfield (\d+)/, (_, field: string) => `field ${Number(field) + 1}`);
  return new InputError({ source, line, column: csvErrorColumn(error) }, `malformed CSV: ${reason}`);
}

/** The 1-based field where csv-parse found the problem: a stray quote's field; 1 when csv-parse does not say. */
function csvErrorColumn(error: CsvError): number {
  const { index } = error as CsvError & { index?: number };
  return typeof index === 'number' && /QUOTE/.test(error.code) ? index + 1 : 1;
}

export interface ParsedObject {
  line: number;
  /** Where a JSON array element starts on its line (RawRecord#column). */
  column?: number;
  value: unknown;
}

async function* readNdjsonObjects(
  stream: Readable,
  source: string,
  onBadRecord?: BadRecordHandler
): AsyncGenerator<ParsedObject> {
  for await (const { lineNumber, text } of readLines(stream)) {
    if (text === undefined) {
      reject(recordTooLong(source, lineNumber, `line ${lineNumber}`), onBadRecord);
      continue;
    }
    const unmarked = lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (isBlankLine(unmarked)) {
      continue;
    }
    const trimmed = unmarked.trim();
    const start = { source, line: lineNumber, column: unmarked.length - unmarked.trimStart().length + 1 };
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      reject(
        trimmed.includes('\u0000')
          ? binaryDataError(source, lineNumber)
          : invalidJsonError(error as Error, trimmed, start),
        onBadRecord
      );
      continue;
    }
    try {
      refuseDuplicateKey(trimmed, value, start);
    } catch (error) {
      reject(error as InputError, onBadRecord);
      continue;
    }
    yield { line: lineNumber, value };
  }
}

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/**
 * The lines of a stream as readline splits them (at LF, CR LF or CR), each decoded once it ends, each as soon as it
 * ends. Not readline: it holds a line of any length (one of 600 MB ended in its RangeError); here a line over
 * MAX_RECORD_BYTES is dropped as it comes and given without `text`.
 */
export async function* readLines(stream: Readable): AsyncGenerator<{ lineNumber: number; text?: string }> {
  let pieces: Buffer[] = [];
  let bytes = 0;
  let lineNumber = 0;
  let afterCr = false;
  const add = (piece: Buffer) => {
    bytes += piece.length;
    if (bytes <= MAX_RECORD_BYTES) {
      pieces.push(piece);
    } else {
      pieces = [];
    }
  };
  const line = () => {
    const text =
      bytes > MAX_RECORD_BYTES ? undefined : (pieces.length === 1 ? pieces[0] : Buffer.concat(pieces)).toString('utf8');
    pieces = [];
    bytes = 0;
    return { lineNumber: ++lineNumber, text };
  };
  for await (const data of stream as AsyncIterable<Buffer | string>) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : data;
    let at = 0;
    let cr = -2; // the next CR from `at` on (-1: none in the chunk; -2: not looked for yet)
    while (at < chunk.length) {
      if (afterCr) {
        afterCr = false;
        if (chunk[at] === LINE_FEED) {
          at++;
          continue; // the LF of a CR LF
        }
      }
      if (cr !== -1 && cr < at) {
        cr = chunk.indexOf(CARRIAGE_RETURN, at);
      }
      const lf = chunk.indexOf(LINE_FEED, at);
      const end = cr < 0 ? lf : lf < 0 ? cr : Math.min(lf, cr);
      if (end < 0) {
        add(chunk.subarray(at));
        break;
      }
      add(chunk.subarray(at, end));
      yield line();
      afterCr = end === cr;
      at = end + 1;
    }
  }
  if (bytes > 0) {
    yield line();
  }
}

/** Objects to header + records; the header is `objectHeader.keys`, or the first object's keys. */
async function* objectsToRecords(
  objects: AsyncIterable<ParsedObject>,
  source: string,
  onBadRecord: BadRecordHandler | undefined,
  objectHeader: ObjectHeader
): AsyncGenerator<RawRecord> {
  // No keys at all (no object): as without them, so an empty input is said to be empty.
  let header: readonly string[] | undefined = objectHeader.keys?.length ? objectHeader.keys : undefined;
  let known: Set<string> | undefined;
  if (header !== undefined) {
    yield { line: 1, cells: [...header] };
  }
  for await (const { line, column, value } of objects) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      reject(
        new InputError(
          { source, line, column: column ?? 1 },
          'expected a JSON object per row, e.g. {"timestamp": ..., "cpu": 1.5}'
        ),
        onBadRecord
      );
      continue;
    }
    const row = value as Record<string, unknown>;
    if (header === undefined) {
      header = Object.keys(row);
      yield { line, column, cells: [...header] };
    } else if (objectHeader.onNewKey && objectHeader.keys === undefined) {
      // Only a stream's first object names the columns: a key it lacks is said, once.
      known ??= new Set(header);
      for (const key in row) {
        if (!known.has(key)) {
          known.add(key); // said once
          objectHeader.onNewKey(key, line);
        }
      }
    }
    // Own keys only: a key left out is a missing value, not what the object inherits (a review: a row without
    // "valueOf" read Object.prototype.valueOf, refused as "undefined is not a number"; "__proto__" read {}).
    const cells = header.map((name) => (Object.hasOwn(row, name) ? row[name] : undefined));
    // (A JSON array element's column is where it starts: its cells are placed there.)
    yield column === undefined ? { line, cells, object: { value: row, header } } : { line, column, cells };
  }
}
