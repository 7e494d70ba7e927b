/**
 * Where a relative training window ("train the last day") lies for a query over a range, as the anomaly proxy reads
 * it and the panel mirrors it, so a panel and the alert rule it writes train on the same rows. A window ends on a
 * retrain-interval boundary (the hour by default), not at the range itself: every evaluation of a rule and every
 * refresh of a dashboard within one interval shares its window (and the proxy its model).
 */

/** The proxy's engine.retrainInterval by default; the panel assumes it. */
export const DEFAULT_RETRAIN_INTERVAL_MS = 3_600_000;

/** `ms` rounded down to a retrain-interval boundary (an interval of 0 or less: `ms` itself). */
export function retrainBoundary(ms: number, retrainIntervalMs: number): number {
  return retrainIntervalMs > 0 ? Math.floor(ms / retrainIntervalMs) * retrainIntervalMs : ms;
}

/**
 * Online mode: the training window ends at the boundary at or before the first scored point. The rows from there
 * to the first scored point are scored too (from the rows before them) but not returned: the detector's state at
 * the first scored point then depends on the interval alone, not on where the range starts in it.
 */
export function onlineTrainingEnd(scoreStartMs: number, retrainIntervalMs: number): number {
  return retrainBoundary(scoreStartMs, retrainIntervalMs);
}

/**
 * Steps of history a batch evaluation fetches before its first scored point, so that point's rolling window and
 * lags are complete.
 */
export function featureHistoryRows(features: { window: number; lags: number }): number {
  return features.window + features.lags + 1;
}

/**
 * Batch mode: the window ends at the boundary at or before the step before the scored range's feature history
 * (featureHistoryRows), and never after the boundary at or before `nowMs` (a query over the future must not train
 * a later interval's model before its data exists). Its end is included.
 */
export function batchTrainingEnd(
  scoreStartMs: number,
  stepMs: number,
  features: { window: number; lags: number },
  retrainIntervalMs: number,
  nowMs: number
): number {
  const dataStartMs = scoreStartMs - featureHistoryRows(features) * stepMs;
  return Math.min(retrainBoundary(dataStartMs - stepMs, retrainIntervalMs), retrainBoundary(nowMs, retrainIntervalMs));
}

/**
 * The first point at or after `ms` on the step grid through `anchorMs` (a query's start): data fetched from there
 * lies on the query's own grid, whatever the window's start, and no row before the window warms a detector up (an
 * instant query off the step grid would otherwise take one more warm-up row than a range query over the same time).
 */
export function gridPointAtOrAfter(ms: number, anchorMs: number, stepMs: number): number {
  return anchorMs - Math.floor((anchorMs - ms) / stepMs) * stepMs;
}
