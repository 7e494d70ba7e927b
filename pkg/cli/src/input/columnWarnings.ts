/**
 * What a user should hear of the input's columns after the check pass: a column with no value at all (not used as a
 * metric), and a metric missing in many rows, which are then not scored. JSON and NDJSON inputs take every key of
 * their objects as a column (sparse exports leave a null field out, even of the first object), so a key that only
 * some objects have is such a metric: without a word, its rows went unscored (a review: a key present from the
 * 200th object on left 200 of 300 rows unscored, and a batch run refused to train without naming it).
 */
import type { ScanResult } from './scanInput';
import { daysInMonth } from './timestamp';

/** A metric missing in more than this share of the rows is reported. */
export const SPARSE_METRIC_SHARE = 0.1;

/** No epoch of real telemetry is earlier: every epoch unit read (s, ms, µs, ns) reaches 1973 within its range. */
const EARLIEST_LIKELY_MS = Date.UTC(1973, 0, 1);

/**
 * How the run scores a row missing some metric: for the others (`partialRows`: per-series models in batch mode,
 * isScoredRow), or not at all; `online`: the run scores online, where every model takes complete rows only.
 */
export interface MissingMetricScoring {
  partialRows: boolean;
  online: boolean;
}

/** A column without any value, left out of the metrics (detect, and a stream that ended within its leading rows). */
export function emptyColumnWarning(name: string): string {
  return `column "${name}" has no value in any row (empty, NaN or null): not used as a metric`;
}

export function columnWarnings(
  scan: Pick<
    ScanResult,
    | 'schema'
    | 'rows'
    | 'emptyColumns'
    | 'missingPerMetric'
    | 'groups'
    | 'textColumns'
    | 'timestampRepairs'
    | 'formattedNumberColumns'
  >,
  /** How a row missing a metric is scored: see MissingMetricScoring. */
  scoring: MissingMetricScoring = { partialRows: false, online: false }
): string[] {
  const warnings = timestampWarnings(scan);
  // A review: a column of "1,004.237" or "50.1%" (Grafana's formatted CSV) was left out as text without a word.
  for (const { name, text, kind } of scan.formattedNumberColumns) {
    warnings.push(
      `column "${name}" is text, not a metric: its first value ${JSON.stringify(text)} is ` +
        (kind === 'structured'
          ? 'a JSON array or object, not a number; give each row a number to use it'
          : 'a number written for people (separators, a decimal comma, a unit or %); write plain numbers (1004.2, 0.501) to use it')
    );
  }
  warnings.push(...scan.emptyColumns.map(emptyColumnWarning));
  scan.missingPerMetric.forEach((missing, m) => {
    if (missing > SPARSE_METRIC_SHARE * scan.rows) {
      const share = Math.round((100 * missing) / scan.rows);
      warnings.push(
        `column "${scan.schema.metricNames[m]}" has no value in ${missing} of ${scan.rows} rows (${share} %): ` +
          (scoring.partialRows
            ? 'those rows are scored for the other metrics only'
            : 'rows without it are not scored; --columns chooses the metrics' +
              // Online, every model takes complete rows only: per series would not score them either.
              (scoring.online ? '' : ' (or --mode per-series scores each on its own)'))
      );
    }
  });
  return warnings;
}

/**
 * Timestamps that are numbers but no epoch (a review: spreadsheet serial days, 45418.0, came out as 1970-01-01T12:36,
 * a metric given as --timestamp-column as 1970; another: yyyymmddhhmm as 1976 and yyyymmddhhmmss as 2611, without a
 * word), and rows of several series in one file without --group-by (their lags and rolling windows mixed the series).
 */
function timestampWarnings(scan: Pick<ScanResult, 'schema' | 'rows' | 'groups' | 'textColumns' | 'timestampRepairs'>) {
  const warnings: string[] = [];
  const earliest = Math.min(...[...scan.groups.values()].map((group) => group.firstTimestampMs));
  const compact = compactDateOf(earliest);
  if (compact !== undefined) {
    warnings.push(
      `column "${scan.schema.header[scan.schema.timestampIndex]}": the earliest timestamp, ${earliest}, reads as epoch ` +
        `milliseconds, ${new Date(earliest).toISOString()}, but looks like ${compact} written as digits ` +
        `(${String(earliest).length === 12 ? 'yyyymmddhhmm' : 'yyyymmddhhmmss'}), which is no epoch: write ISO 8601 times`
    );
  } else if (earliest < EARLIEST_LIKELY_MS) {
    warnings.push(
      `column "${scan.schema.header[scan.schema.timestampIndex]}": the earliest timestamp reads as ` +
        `${new Date(earliest).toISOString()}, before 1973: a number is read as epoch seconds, milliseconds, ` +
        'microseconds or nanoseconds by its size (spreadsheet serial dates and yyyymmddhhmm numbers are not ' +
        'epochs: write ISO 8601 times), an ISO 8601 time as written (a stray row?); or check --timestamp-column'
    );
  }
  const shared = scan.timestampRepairs.rows;
  if (scan.schema.groupIndex < 0 && shared > 0.2 * scan.rows && scan.textColumns.length > 0) {
    const names = scan.textColumns.map((name) => `"${name}"`).join(', ');
    warnings.push(
      `${shared} of ${scan.rows} rows repeat an earlier row's time: rows of several series, one per value of a text ` +
        `column (${names})? --group-by that column scores each series on its own`
    );
  }
  return warnings;
}

/**
 * The date a yyyymmddhhmm or yyyymmddhhmmss number spells (years 1970-2100), as "yyyy-mm-dd hh:mm[:ss]"; undefined
 * for any other number. Such numbers have 12 or 14 digits, which epochToMilliseconds reads as milliseconds (1976
 * for 2024's yyyymmddhhmm, 2611 for its yyyymmddhhmmss): dates outside real telemetry, so the spelling is the
 * likelier reading.
 */
export function compactDateOf(ms: number): string | undefined {
  const digits = String(ms);
  if (!Number.isInteger(ms) || (digits.length !== 12 && digits.length !== 14)) {
    return undefined;
  }
  const part = (at: number, length = 2) => Number(digits.slice(at, at + length));
  const [year, month, day, hour, minute] = [part(0, 4), part(4), part(6), part(8), part(10)];
  const second = digits.length === 14 ? part(12) : 0;
  if (year < 1970 || year > 2100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const time = `${digits.slice(8, 10)}:${digits.slice(10, 12)}${digits.length === 14 ? `:${digits.slice(12)}` : ''}`;
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)} ${time}`;
}
