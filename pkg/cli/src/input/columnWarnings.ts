/**
 * What a user should hear of the input's columns after the check pass: a column with no value at all (not used as a
 * metric), and a metric missing in many rows, which are then not scored. JSON and NDJSON inputs take every key of
 * their objects as a column (sparse exports leave a null field out, even of the first object), so a key that only
 * some objects have is such a metric: without a word, its rows went unscored (a review: a key present from the
 * 200th object on left 200 of 300 rows unscored, and a batch run refused to train without naming it).
 */
import type { ScanResult } from './scanInput';

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
  warnings.push(
    ...scan.emptyColumns.map(
      (name) => `column "${name}" has no value in any row (empty, NaN or null): not used as a metric`
    )
  );
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
 * yyyymmddhhmm as 1976, a metric given as --timestamp-column as 1970), and rows of several series in one file without
 * --group-by (their lags and rolling windows mixed the series).
 */
function timestampWarnings(scan: Pick<ScanResult, 'schema' | 'rows' | 'groups' | 'textColumns' | 'timestampRepairs'>) {
  const warnings: string[] = [];
  const earliest = Math.min(...[...scan.groups.values()].map((group) => group.firstTimestampMs));
  if (earliest < EARLIEST_LIKELY_MS) {
    warnings.push(
      `column "${scan.schema.header[scan.schema.timestampIndex]}": the first timestamp reads as ` +
        `${new Date(earliest).toISOString()}, before 1973: numbers are read as epoch seconds, milliseconds, ` +
        'microseconds or nanoseconds by their size; spreadsheet serial dates and yyyymmddhhmm numbers are not ' +
        'epochs: write ISO 8601 times, or check --timestamp-column'
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
