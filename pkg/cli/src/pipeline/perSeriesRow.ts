/**
 * Per-series mode: a row's one result from those of its metrics' own models. Its score is the highest column score;
 * it is flagged when any column's model flags it; it is explained (its top features, and in `stream` its `column` and
 * `threshold`) by the column that flags it with the highest score. `detect` (scores.csv, anomalies.csv) and
 * `stream --model` alike: stream reported the column furthest above its threshold, with that column's score (a
 * review: the same row had another score in scores.csv).
 */

export interface PerSeriesRow {
  /** The highest column score; NaN when no column has one. */
  score: number;
  isAnomaly: boolean;
  /** The column that flags the row with the highest score (the first of equal ones); -1 when none flags it. */
  explainedBy: number;
}

/**
 * @param scoreOf column c's score, NaN where it has none (its warm-up, a missing value)
 * @param flags whether column c's model flags the row
 */
export function perSeriesRow(
  columns: number,
  scoreOf: (c: number) => number,
  flags: (c: number) => boolean
): PerSeriesRow {
  let score = NaN;
  let explainedBy = -1;
  for (let c = 0; c < columns; c++) {
    const columnScore = scoreOf(c);
    if (!(score >= columnScore) && !Number.isNaN(columnScore)) {
      score = columnScore;
    }
    if (flags(c) && (explainedBy < 0 || scoreOf(explainedBy) < columnScore)) {
      explainedBy = c;
    }
  }
  return { score, isAnomaly: explainedBy >= 0, explainedBy };
}
