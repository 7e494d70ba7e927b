/**
 * First pass over an input: validates every row (timestamps, order, numeric cells), decides the metric columns
 * and counts the rows per group, holding only counters in memory, and the parsed rows if asked to (within a
 * budget: KeptRows). The later passes rely on it: they know how many rows each group has (to take the first
 * --train-fraction of them) and that the whole file is valid before any output is written.
 */
import type { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { InputError } from '../errors';
import { Progress } from '../progress';
import { cellText, parseMetricCell } from './cells';
import type { InputFormat } from './inputFormat';
import { DEFAULT_MAX_GROUPS, type ColumnRoles, type InputSchema } from './inputSchema';
import type { RawRecord } from './rawRecords';
import { readRecordBatches, type RecordBatch } from './recordBatches';
import { EXPORTS_README } from './exportsReadme';
import { MAX_RECORD_BYTES } from './recordLimit';
import { RowReader, type TimestampRepairs } from './rowReader';
import { inputShareRead, KeptRows } from './keptRows';
import { GroupIndex, type RowBatch } from './rowBatch';

export interface GroupScan {
  rows: number;
  /** Line of the group's first row. */
  firstLine: number;
  firstTimestampMs: number;
  lastTimestampMs: number;
}

export interface ScanResult {
  schema: InputSchema;
  /** In order of first appearance; the only key is '' without --group-by. */
  groups: Map<string, GroupScan>;
  rows: number;
  lastLine: number;
  /** Columns left out of the default metric set because their first value is text. */
  textColumns: string[];
  /**
   * Of those, the ones whose first text looks like a number written for people (`1,004.2`, `50.1%`, `0.98 GiB`,
   * `50,1`): a metric the user surely meant, with that text.
   */
  formattedNumberColumns: Array<{ name: string; text: string; kind: 'formatted' | 'structured' }>;
  /** Columns with no value in any row (every cell empty, NaN or null, or the key never given): not metrics. */
  emptyColumns: string[];
  /** Per metric (schema.metricNames' order): the rows with no value for it, which are not scored. */
  missingPerMetric: number[];
  /** Rows whose timestamp did not increase within their group, kept in file order (see RowReader). */
  timestampRepairs: TimestampRepairs;
  /**
   * Every row, parsed as scoring reads them (readRowBatch; groups indexed in the order of `groups`), when asked for
   * and within the budget given (KeptRows).
   */
  rowBatches?: RowBatch[];
}

/**
 * What the cells of a column showed so far. A column with at least one number is numeric, and then every other
 * non-missing cell must be a number too; a column with only text (host names, labels) is not a metric.
 */
interface ColumnEvidence {
  numeric: boolean;
  /** Cells with no value (empty, NaN, null, an absent key). */
  missing: number;
  /** The first non-numeric cell, reported if a number turns up later. */
  firstText?: InputError;
  /** That cell's text. */
  firstTextCell?: string;
}

/**
 * What a column's cells make it, for detect's check pass and an online stream's leading rows alike: a metric if one
 * holds a number, text if one holds text and none a number, otherwise empty (no value: not used).
 */
export function metricColumnKind(
  evidence: Pick<ColumnEvidence, 'numeric' | 'firstTextCell'>
): 'metric' | 'text' | 'empty' {
  return evidence.numeric ? 'metric' : evidence.firstTextCell !== undefined ? 'text' : 'empty';
}

/** The evidence of a column's cells (parsed), read all at once: see ColumnEvidence. */
export function columnEvidence(cells: Iterable<unknown>): Pick<ColumnEvidence, 'numeric' | 'firstTextCell'> {
  let firstTextCell: string | undefined;
  for (const cell of cells) {
    const parsed = parseMetricCell(cell);
    // A number out of range is a number (refused where it stands), not text.
    if (parsed.kind === 'number' || (parsed.kind === 'invalid' && parsed.number)) {
      return { numeric: true };
    }
    if (parsed.kind === 'invalid' && firstTextCell === undefined) {
      firstTextCell = cellText(cell);
    }
  }
  return { numeric: false, firstTextCell };
}

/** A column with values under an empty name in the header: detect and stream refuse it alike. */
export function namelessColumnError(source: string, headerLine: number, index: number): InputError {
  return new InputError(
    { source, line: headerLine, column: index + 1 },
    `column ${index + 1} has values but no name in the header: name it`
  );
}

/** An input without any record (or only blank lines): `detect` and `stream` refuse it alike. */
export function emptyInputError(source: string): InputError {
  return new InputError({ source, line: 1, column: 1 }, 'the file is empty');
}

/** An input with a header (CSV) but no row after it: `detect` and `stream` refuse it alike. */
export function headerOnlyError(source: string, headerLine: number): InputError {
  return new InputError({ source, line: headerLine, column: 1 }, 'the file has a header but no data rows');
}

export async function scanInput(
  open: () => Readable,
  format: InputFormat,
  source: string,
  roles: ColumnRoles,
  quiet: boolean,
  strict = false,
  /** Keep the parsed rows (ScanResult.rowBatches) if they take at most this many bytes [0: not kept] */
  keepBytes = 0
): Promise<ScanResult> {
  // The stream being read, for the share of the input read so far (KeptRows gives up early on a large input).
  let stream: Readable | undefined;
  const batches = readRecordBatches(open, format, source, (opened) => (stream = opened));
  const first = await batches.next();
  if (first.done || first.value.size === 0) {
    throw emptyInputError(source);
  }
  const headerRecord = first.value.record(0);
  const undecodable = await undecodableHeader(open, headerRecord);
  const partialSchema = schemaFromHeader(headerRecord, source, roles, undecodable);
  const candidates = roles.columns ? partialSchema.metricIndexes : candidateColumns(partialSchema);
  const columns: ColumnEvidence[] = candidates.map(() => ({ numeric: false, missing: 0 }));
  const rowReader = new RowReader(partialSchema, strict);
  const groups = new Map<string, GroupScan>();
  const maxGroups = roles.maxGroups ?? DEFAULT_MAX_GROUPS;
  const progress = new Progress('checking input', quiet);
  let rows = 0;
  let lastLine = headerRecord.line;
  const kept = keepBytes > 0 ? new KeptRows(candidates.length, keepBytes) : undefined;
  const groupIndex = new GroupIndex();
  // Where the rows being checked are kept (KeptRows), if they are, and the next one's position there.
  let keptBatch: RowBatch | undefined;
  let keptRow = 0;

  const scanRecord = (batch: RecordBatch, r: number) => {
    const line = batch.line(r);
    const timestampMs = rowReader.readTimestamp(batch, r);
    const group = rowReader.readGroup(batch, r);
    const orderMs = rowReader.checkOrder(line, group, timestampMs);
    if (keptBatch !== undefined) {
      keptBatch.lines[keptRow] = line;
      keptBatch.timestampMs[keptRow] = timestampMs;
      keptBatch.orderMs[keptRow] = orderMs;
      keptBatch.groupIndex[keptRow] = groupIndex.indexOf(group);
    }
    for (let c = 0; c < candidates.length; c++) {
      const index = candidates[c];
      const column = columns[c];
      // (Read as a number only where it can be used: a metric's cell, or any cell while the rows are kept.)
      const number = column.numeric || keptBatch !== undefined ? batch.number(r, index) : NaN;
      if (column.numeric && !Number.isNaN(number)) {
        if (keptBatch !== undefined) {
          keptBatch.values[c][keptRow] = number;
        }
        continue; // the common case, without classifying the cell
      }
      const parsed = parseMetricCell(batch.cell(r, index));
      if (keptBatch !== undefined) {
        // As RowReader.readMetric reads it; a text cell of a column that turns out to be a metric is refused below.
        keptBatch.values[c][keptRow] = !Number.isNaN(number) ? number : parsed.kind === 'number' ? parsed.value : NaN;
      }
      if (parsed.kind === 'missing') {
        column.missing++;
      } else if (parsed.kind === 'number' && !column.numeric) {
        column.numeric = true;
        if (column.firstText) {
          throw column.firstText; // text before the first number: a bad cell, not a text column
        }
      } else if (parsed.kind === 'invalid') {
        const error = new InputError(
          { source, ...batch.where(r, index) },
          `column "${partialSchema.header[index]}": ${parsed.reason}`
        );
        // A number out of range (1e39) makes no text column: it is refused at once, where it stands.
        if (column.numeric || roles.columns || parsed.number) {
          throw error;
        }
        if (!column.firstText) {
          column.firstText = error;
          column.firstTextCell = cellText(batch.cell(r, index));
        }
      }
    }
    const scan = groups.get(group);
    if (scan) {
      scan.rows++;
      scan.lastTimestampMs = timestampMs;
    } else {
      if (groups.size === maxGroups) {
        const where = batch.where(r, partialSchema.groupIndex);
        throw new InputError(
          { source, ...where },
          `group column "${roles.groupBy}": more than ${maxGroups} groups, each with a model of its own: is ` +
            `"${roles.groupBy}" the series' key (such as a host)? --max-groups raises the limit`
        );
      }
      groups.set(group, {
        rows: 1,
        firstLine: line,
        firstTimestampMs: timestampMs,
        lastTimestampMs: timestampMs,
      });
    }
    rows++;
    lastLine = line;
    keptRow++;
  };
  /** Checks records [from, size) of a batch (keeping them, while they fit). */
  const scanBatch = (batch: RecordBatch, from: number) => {
    keptBatch = batch.size > from ? kept?.next(batch.size - from, inputShareRead(stream)) : undefined;
    keptRow = 0;
    for (let r = from; r < batch.size; r++) {
      scanRecord(batch, r);
    }
  };

  scanBatch(first.value, 1);
  for await (const batch of batches) {
    scanBatch(batch, 0);
    progress.update(rows);
  }
  progress.done();

  if (rows === 0) {
    throw headerOnlyError(source, headerRecord.line);
  }
  // The metrics: their positions among the candidates, and their columns in the input.
  const kinds = columns.map(metricColumnKind);
  const metricPositions = candidates.flatMap((_, c) => (kinds[c] === 'metric' ? [c] : []));
  const metricIndexes = metricPositions.map((c) => candidates[c]);
  const formattedNumberColumns = candidates.flatMap((index, c) => {
    const text = columns[c].firstTextCell;
    if (columns[c].numeric || text === undefined) {
      return [];
    }
    // A JSON array or object ({"cpu": [25.2]}): left out as text without a word before (a review).
    const kind: ScanResult['formattedNumberColumns'][number]['kind'] | undefined = looksLikeFormattedNumber(text)
      ? 'formatted'
      : /^[[{]/.test(text)
        ? 'structured'
        : undefined;
    return kind === undefined ? [] : [{ name: partialSchema.header[index], text, kind }];
  });
  if (metricIndexes.length === 0) {
    const formatted = formattedNumberColumns[0];
    throw new InputError(
      { source, line: headerRecord.line, column: 1 },
      roles.columns
        ? 'the --columns have no values at all'
        : 'no numeric metric column found' +
            (formatted === undefined
              ? ''
              : `; column "${formatted.name}" holds ${JSON.stringify(formatted.text)}, ` +
                (formatted.kind === 'structured'
                  ? 'a JSON array or object: give each row a number'
                  : 'a number written for people (separators, a decimal comma, a unit or %): write plain numbers (1004.2, 0.501)'))
    );
  }
  if (roles.columns) {
    const empty = candidates.find((_, c) => !columns[c].numeric);
    if (empty !== undefined) {
      throw new InputError(
        { source, line: headerRecord.line, column: empty + 1 },
        `column "${partialSchema.header[empty]}" has no values at all`
      );
    }
  }
  const nameless = metricIndexes.find((index) => partialSchema.header[index] === '');
  if (nameless !== undefined) {
    // (A nameless column without values, a trailing comma on every line, is left out like any empty column.)
    throw namelessColumnError(source, headerRecord.line, nameless);
  }
  const schema: InputSchema = {
    ...partialSchema,
    metricIndexes,
    metricNames: metricIndexes.map((index) => partialSchema.header[index]),
  };
  const textColumns = candidates.filter((_, c) => kinds[c] === 'text').map((index) => partialSchema.header[index]);
  const emptyColumns = candidates
    .filter((_, c) => kinds[c] === 'empty')
    .map((index) => partialSchema.header[index])
    .filter((name) => name !== '');
  const missingPerMetric = metricPositions.map((c) => columns[c].missing);
  const rowBatches = kept?.finish(metricPositions);
  return {
    schema,
    groups,
    rows,
    lastLine,
    textColumns,
    formattedNumberColumns,
    emptyColumns,
    missingPerMetric,
    timestampRepairs: rowReader.repairs,
    rowBatches,
  };
}

/** A number with separators, a decimal comma, a unit or a percent sign: text to the CLI, a number to a person. */
const FORMATTED_NUMBER = /^[-+]?\d[\d,.' \u00a0]*(\s*(%|[A-Za-zµ/]{1,6}))?$/;

function looksLikeFormattedNumber(text: string): boolean {
  // Not an address or a version (10.0.0.5, 1.2.3): several dots and no comma.
  return FORMATTED_NUMBER.test(text) && !(/\..*\./.test(text) && !text.includes(','));
}

/**
 * Whether a header name came from bytes that are not UTF-8. They decode to U+FFFD, and so does a genuine U+FFFD
 * (EF BF BD), which is a name like any other: when a name holds one, the raw bytes from the start of the input
 * through the header (through the line that holds every such name, or one record's limit past its start) are
 * decoded again, strictly.
 */
async function undecodableHeader(open: () => Readable, header: RawRecord): Promise<(name: string) => boolean> {
  const suspects = header.cells.map((cell) => String(cell ?? '')).filter((name) => name.includes('\ufffd'));
  if (suspects.length === 0) {
    return () => false;
  }
  const stream = open();
  const pieces: Buffer[] = [];
  const lenient = new StringDecoder('utf8');
  let text = '';
  let bytes = 0;
  let lines = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pieces.push(chunk);
      bytes += chunk.length;
      text += lenient.write(chunk);
      lines += chunk.filter((byte) => byte === 10).length;
      const through = lines >= header.line && suspects.every((name) => text.includes(name));
      if (through || (lines >= header.line && bytes > MAX_RECORD_BYTES)) {
        break;
      }
    }
  } finally {
    stream.destroy();
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(pieces));
    return () => false;
  } catch {
    return (name) => name.includes('\ufffd');
  }
}

/**
 * The roles of the header's columns; metric columns only when --columns names them.
 * @param undecodable whether a name came from bytes that are not UTF-8 [it holds U+FFFD: stdin cannot be read again]
 */
/** Characters of a column name, at most: far above any metric's or label's name. */
export const MAX_COLUMN_NAME_LENGTH = 1024;

export function schemaFromHeader(
  header: RawRecord,
  source: string,
  roles: ColumnRoles,
  undecodable = (name: string) => name.includes('\ufffd')
): InputSchema {
  const names = header.cells.map((cell) => String(cell ?? '').trim());
  const at = (column: number) => ({ source, line: header.line, column });
  const seen = new Map<string, number>();
  if (/^#(group|datatype|default)$/.test(names[0] ?? '')) {
    // Its annotation lines read as a header of repeated "false"/"string" names (a review: 'duplicate column name
    // "false"', even with --timestamp-column _time).
    throw new InputError(
      at(1),
      `this is InfluxDB 2.x annotated CSV (its first line is "${names[0]}"), one row per field value: the CLI ` +
        `reads rows of a timestamp and metric columns; pivot the fields into columns, remove the # lines and give ` +
        `--timestamp-column _time (${EXPORTS_README})`
    );
  }
  names.forEach((name, index) => {
    if (name.length > MAX_COLUMN_NAME_LENGTH) {
      // Every output repeats it (scores.csv's header, each explanation, the report): a 25 MB name ran out of memory.
      throw new InputError(
        at(index + 1),
        `column name of ${name.length} characters in the header; at most ${MAX_COLUMN_NAME_LENGTH}`
      );
    }
    // A name the user cannot type in --columns or find in the outputs.
    if (undecodable(name)) {
      throw new InputError(
        at(index + 1),
        `column name "${name}" in the header is not valid UTF-8 text; save the file as UTF-8`
      );
    }
    if (seen.has(name)) {
      throw new InputError(at(index + 1), `duplicate column name "${name}" in the header`);
    }
    seen.set(name, index);
  });
  const find = (name: string, what: string): number => {
    const index = seen.get(name);
    if (index === undefined) {
      throw new InputError(
        at(1),
        `no ${what} "${name}" in the header (columns: ${names.join(', ')})${otherSeparatorHint(names)}` +
          (what === 'timestamp column' ? exportHint(names) : '')
      );
    }
    return index;
  };
  const timestampIndex = find(roles.timestampColumn, 'timestamp column');
  const groupIndex = roles.groupBy === undefined ? -1 : find(roles.groupBy, '--group-by column');
  if (groupIndex === timestampIndex) {
    // A group per timestamp: every group one row, each refused later as too short to train on (a review).
    throw new InputError(
      at(groupIndex + 1),
      `--group-by "${roles.groupBy}" is the timestamp column: group by a column that names the series (a host)`
    );
  }
  const metricIndexes = (roles.columns ?? []).map((name) => {
    const index = find(name, 'column');
    if (index === timestampIndex || index === groupIndex) {
      throw new InputError(at(index + 1), `column "${name}" is the timestamp or group column and cannot be a metric`);
    }
    return index;
  });
  return {
    source,
    header: names,
    headerLine: header.line,
    timestampIndex,
    groupIndex,
    metricIndexes,
    metricNames: metricIndexes.map((index) => names[index]),
  };
}

function candidateColumns(schema: InputSchema): number[] {
  return schema.header
    .map((_, index) => index)
    .filter((index) => index !== schema.timestampIndex && index !== schema.groupIndex);
}

/**
 * A hint when a one-column header holds another separator (a semicolon or tab CSV, as spreadsheets in many locales
 * write): the CLI reads comma-separated values only.
 */
/** Common time column names of exports: Grafana's CSV download (Time), InfluxDB (time, _time), pandas, spreadsheets. */
const TIME_COLUMN_NAMES = ['time', '_time', 'date', 'datetime', 'ts', 'timestamp'];

/**
 * What an export that is not rows of a timestamp and metrics needs (a review: a Grafana CSV download, a Prometheus
 * or InfluxDB API answer saved to a file, and a spreadsheet's "sep=," line each got only the column list).
 */
function exportHint(names: string[]): string {
  const timeColumn = names.find((name) => TIME_COLUMN_NAMES.includes(name.trim().toLowerCase()));
  if (timeColumn !== undefined) {
    return `; give --timestamp-column ${JSON.stringify(timeColumn)}`;
  }
  if (names.includes('status') && names.includes('data')) {
    return (
      '; this looks like a Prometheus API answer: the CLI reads rows (a timestamp and metric columns), such as ' +
      `Grafana's CSV download, or NDJSON made with jq (${EXPORTS_README})`
    );
  }
  if (names.includes('results')) {
    return (
      '; this looks like an InfluxDB API answer: the CLI reads rows (a timestamp and metric columns), such as ' +
      `\`influx -format csv\` output or Grafana's CSV download (${EXPORTS_README})`
    );
  }
  if (/^sep=.?$/i.test(names[0] ?? '')) {
    return '; the first line is a spreadsheet\'s "sep=" line: remove it';
  }
  return '';
}

function otherSeparatorHint(names: string[]): string {
  if (names.length !== 1) {
    return '';
  }
  const separator = [';', '\t', '|'].find((candidate) => names[0].includes(candidate));
  const shown = separator === '\t' ? 'tabs' : `"${separator}"`;
  return separator === undefined
    ? ''
    : `; the header seems separated by ${shown}: the CLI reads comma-separated CSV (or JSON / NDJSON), so save it with commas`;
}
