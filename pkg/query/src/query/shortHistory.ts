/**
 * The warning for models trained on much less history than their query's training window asks for: the upstream
 * holds no samples before some later time (a new Prometheus, a short retention, a series that appeared since).
 * `train="7d"` over one day of data trained on that day without a word (an install review); the model then meets the
 * weekly pattern it never saw as anomalies, until a retrain sees more.
 */
import type { TrainedModel } from '../models/modelRepository';

/** Models whose data cover less than this share of their training window are reported. */
export const SHORT_HISTORY_SHARE = 0.5;

/** One warning for all such models of an answer (Prometheus' `warnings`), undefined when there is none. */
export function shortHistoryWarning(models: Iterable<TrainedModel>): string | undefined {
  const short: TrainedModel[] = [];
  let total = 0;
  for (const model of models) {
    total++;
    const windowMs = model.trainEnd - model.trainStart;
    if (
      model.dataStart !== undefined &&
      windowMs > 0 &&
      model.trainEnd - model.dataStart < SHORT_HISTORY_SHARE * windowMs
    ) {
      short.push(model);
    }
  }
  if (short.length === 0) {
    return undefined;
  }
  const first = short[0];
  const covered = (first.trainEnd - first.dataStart!) / (first.trainEnd - first.trainStart);
  return (
    `${short.length} of ${total} models trained on less than ${SHORT_HISTORY_SHARE * 100} % of their training window ` +
    `(${formatSpan(first.trainEnd - first.trainStart)}): the upstream has no earlier samples (e.g. ` +
    `${first.description.split(' columns ')[0]}: from ${new Date(first.dataStart!).toISOString()}, ` +
    `${Math.round(covered * 100)} % of the window); scores may flag normal patterns the data have not shown yet`
  );
}

function formatSpan(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 && Number.isInteger(hours / 24) ? `${hours / 24}d` : `${+hours.toFixed(1)}h`;
}
