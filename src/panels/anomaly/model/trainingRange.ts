import type { TrainingRangeKind, TrainingRangeOptions } from '../types';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Why a fixed training range cannot be used (a panel saved before the editor stored its ends, or ends edited into
 * the wrong order), as the panel's notice says it, or undefined: the models then train on the visible range.
 */
export function unusableFixedRange(training: TrainingRangeOptions): string | undefined {
  if (training.kind !== 'absolute') {
    return undefined;
  }
  if (training.from === undefined || training.to === undefined) {
    return 'The fixed training range has no start or end';
  }
  if (training.from >= training.to) {
    return 'The fixed training range ends before it starts';
  }
  return undefined;
}

/** Grafana's "-- Dashboard --" data source (SHARED_DASHBOARD_QUERY): another panel's results, whatever range is asked. */
export const DASHBOARD_DATASOURCE_UID = '-- Dashboard --';

/**
 * Why the panel cannot run its queries over a training range of its own, or undefined when it can (or trains on the
 * visible range anyway). A public (shared) dashboard runs only the saved queries, over the dashboard's saved range
 * (Grafana's publicDashboardQueryHandler; the server sets the range); the "-- Dashboard --" data source answers with
 * another panel's current results (DashboardDatasource.query ignores the range asked). Either way every training
 * query came back with the visible range's rows, which the training range leaves out: "No data in the training range"
 * on every series (a host-contract review).
 */
export function trainingQueriesUnavailable(
  training: TrainingRangeOptions,
  targets: ReadonlyArray<{ datasource?: { uid?: string } | null }> | undefined,
  publicDashboard: boolean
): string | undefined {
  if (training.kind === 'visible') {
    return undefined;
  }
  if (publicDashboard) {
    return 'A public dashboard runs its queries over its own time range only';
  }
  if (targets?.some((target) => target.datasource?.uid === DASHBOARD_DATASOURCE_UID)) {
    return "The -- Dashboard -- data source answers with another panel's results, not over a training range";
  }
  return undefined;
}

/** The fixed range a panel starts with: the week up to `now` (when the editor opened). */
export function suggestedFixedRange(now: number): { from: number; to: number } {
  return { from: now - 7 * DAY_MS, to: now };
}

/**
 * The training options once the user picks `kind`. A fixed range is stored with both ends at once (the ones set,
 * else the suggested week the editor shows): without them the models would train on the visible range instead.
 */
export function withTrainingKind(
  training: TrainingRangeOptions,
  kind: TrainingRangeKind,
  now: number
): TrainingRangeOptions {
  if (kind !== 'absolute') {
    return { ...training, kind };
  }
  const suggested = suggestedFixedRange(now);
  return { ...training, kind, from: training.from ?? suggested.from, to: training.to ?? suggested.to };
}

/**
 * Identity of the training data for the model cache. A relative range ("last 6 h") moves on every refresh; the
 * models are kept until the training window has moved by a tenth of its length, so a refresh scores the new points
 * with the models it has instead of retraining each time.
 */
export function trainingDataKey(range: { from: number; to: number }, seriesIds: string[]): string {
  const span = Math.max(1, range.to - range.from);
  const bucket = Math.max(60_000, Math.floor(span / 10));
  return `${span}@${Math.floor(range.from / bucket)}|${seriesIds.join(',')}`;
}
