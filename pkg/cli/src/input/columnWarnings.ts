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

export function columnWarnings(
  scan: Pick<ScanResult, 'schema' | 'rows' | 'emptyColumns' | 'missingPerMetric'>
): string[] {
  const warnings = scan.emptyColumns.map(
    (name) => `column "${name}" has no value in any row (empty, NaN or null): not used as a metric`
  );
  scan.missingPerMetric.forEach((missing, m) => {
    if (missing > SPARSE_METRIC_SHARE * scan.rows) {
      const share = Math.round((100 * missing) / scan.rows);
      warnings.push(
        `column "${scan.schema.metricNames[m]}" has no value in ${missing} of ${scan.rows} rows (${share} %): rows ` +
          'without it are not scored; --columns chooses the metrics'
      );
    }
  });
  return warnings;
}
