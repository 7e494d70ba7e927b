/**
 * Per-column mode: a row's one result from those of its metrics' own models. Its score is the highest column score;
 * it is flagged when any column's model flags it; it is explained (its top features, its `column` and `threshold`)
 * by the column that flags it with the highest score, or, when none flags it, by the column with the highest score.
 * The online scorer, `detect` (scores.csv, anomalies.csv) and `stream --model` alike: the online scorer chose the
 * column furthest above its threshold, with that column's score (a review: the same row had another score in
 * scores.csv than in `stream`).
 */

export interface PerSeriesRow {
  /** The highest column score; NaN when no column has one. */
  score: number;
  isAnomaly: boolean;
  /**
   * The column that flags the row with the highest score (the first of equal ones); when none flags it, the column
   * with the highest score; -1 when no column has a score.
   */
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
  let highest = -1;
  let flagging = -1;
  for (let c = 0; c < columns; c++) {
    const columnScore = scoreOf(c);
    if (Number.isNaN(columnScore)) {
      continue;
    }
    if (highest < 0 || scoreOf(highest) < columnScore) {
      highest = c;
    }
    if (flags(c) && (flagging < 0 || scoreOf(flagging) < columnScore)) {
      flagging = c;
    }
  }
  return {
    score: highest < 0 ? NaN : scoreOf(highest),
    isAnomaly: flagging >= 0,
    explainedBy: flagging >= 0 ? flagging : highest,
  };
}
