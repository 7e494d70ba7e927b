/**
 * The warning for models trained on much less history than their query's training window asks for: the upstream
 * holds no samples before some later time (a new Prometheus, a short retention, a series that appeared since).
 * `train="7d"` over one day of data trained on that day without a word (an install review); the model then meets the
 * weekly pattern it never saw as anomalies, until a retrain sees more.
 */
import { formatDuration } from '@telemetry-analyzer/engine';
import { labelsKey } from '../upstreams/series';
import { type ServedModel, modelsWhere } from './servedModels';

/** Models whose data cover less than this share of their training window are reported. */
export const SHORT_HISTORY_SHARE = 0.5;

/** One warning for all such models of an answer (Prometheus' `warnings`), undefined when there is none. */
export function shortHistoryWarning(models: Iterable<ServedModel>): string | undefined {
  const {
    first,
    matching: short,
    total,
  } = modelsWhere(models, ({ dataStart, trainStart, trainEnd }) => {
    const windowMs = trainEnd - trainStart;
    return dataStart !== undefined && windowMs > 0 && trainEnd - dataStart < SHORT_HISTORY_SHARE * windowMs;
  });
  if (first === undefined) {
    return undefined;
  }
  const { dataStart, trainStart, trainEnd } = first.model;
  const covered = (trainEnd - dataStart!) / (trainEnd - trainStart);
  return (
    `${short} of ${total} models trained on less than ${SHORT_HISTORY_SHARE * 100} % of their training window ` +
    `(${formatDuration(trainEnd - trainStart)}): the upstream has no earlier samples (e.g. ` +
    `${labelsKey(first.labels)}: from ${new Date(dataStart!).toISOString()}, ` +
    `${Math.round(covered * 100)} % of the window); scores may flag normal patterns the data have not shown yet`
  );
}
