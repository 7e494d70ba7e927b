/** Most steps one training query spans: Prometheus refuses more than 11 000 points per series in one query. */
export const TRAINING_QUERY_STEPS = 10_000;
/** Most queries one training range is fetched in (100 000 steps, the proxy's maxTrainingPointsPerSeries). */
export const MAX_TRAINING_QUERIES = 10;

/**
 * The pieces a training range is fetched in, at the panel's own step: each of at most TRAINING_QUERY_STEPS steps,
 * on the step grid, none overlapping. Fetched at a coarser step (one query over the whole range), the training rows
 * would not be the rows the panel scores, nor those the proxy trains an alert rule's model on (`step=` the panel's).
 * Without a known step: the whole range in one query.
 */
export function trainingQueryRanges(
  range: { from: number; to: number },
  stepMs: number
): Array<{ from: number; to: number }> {
  const { from, to } = range;
  if (!(stepMs > 0)) {
    return [{ from, to }];
  }
  const pieces: Array<{ from: number; to: number }> = [];
  for (let start = Math.floor(from / stepMs) * stepMs; start <= to; start += TRAINING_QUERY_STEPS * stepMs) {
    pieces.push({ from: start, to: Math.min(to, start + (TRAINING_QUERY_STEPS - 1) * stepMs) });
  }
  if (pieces.length > MAX_TRAINING_QUERIES) {
    const steps = Math.floor((to - from) / stepMs) + 1;
    throw new Error(
      `The training range holds ${steps} points per series at this panel's resolution; at most ` +
        `${MAX_TRAINING_QUERIES * TRAINING_QUERY_STEPS}: move the fixed training range nearer the visible range, ` +
        'or set a larger Min interval in the query options'
    );
  }
  return pieces;
}
