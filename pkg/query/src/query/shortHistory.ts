/**
 * The warning for models trained on much less history than their query's training window asks for: the upstream
 * holds no samples before some later time (a new Prometheus, a short retention, a series that appeared since).
 * `train="7d"` over one day of data trained on that day without a word (an install review); the model then meets the
 * weekly pattern it never saw as anomalies, until a retrain sees more.
 */
import { formatDuration } from '@telemetry-analyzer/engine';
import { labelsKey } from '../upstreams/series';
import type { ServedModel } from './servedModels';

/** Models whose data cover less than this share of their training window are reported. */
export const SHORT_HISTORY_SHARE = 0.5;

/** A model's (or an online evaluation's) training window and the first time its data have a complete row. */
export interface TrainingHistory {
  labels: Record<string, string>;
  dataStart?: number;
  trainStart: number;
  trainEnd: number;
}

/** One warning for all such models of an answer (Prometheus' `warnings`), undefined when there is none. */
export function shortHistoryWarning(models: Iterable<ServedModel>): string | undefined {
  return shortHistoryWarningOf(
    [...models].map(({ labels, model: { dataStart, trainStart, trainEnd } }) => ({
      labels,
      dataStart,
      trainStart,
      trainEnd,
    }))
  );
}

/** shortHistoryWarning for training histories however they were trained (online queries keep no model). */
export function shortHistoryWarningOf(histories: TrainingHistory[]): string | undefined {
  // Data that start after the window trained nothing: not a short history (an online query said "-7 % of the
  // window", an attack review); the query's other warnings say why the series has no model.
  const trained = histories.filter(({ dataStart, trainEnd }) => dataStart === undefined || dataStart < trainEnd);
  const isShort = ({ dataStart, trainStart, trainEnd }: TrainingHistory) => {
    const windowMs = trainEnd - trainStart;
    return dataStart !== undefined && windowMs > 0 && trainEnd - dataStart < SHORT_HISTORY_SHARE * windowMs;
  };
  const short = trained.filter(isShort);
  if (short.length === 0) {
    return undefined;
  }
  const { labels, dataStart, trainStart, trainEnd } = short[0];
  const covered = (trainEnd - dataStart!) / (trainEnd - trainStart);
  return (
    `${short.length} of ${trained.length} models trained on less than ${SHORT_HISTORY_SHARE * 100} % of their ` +
    `training window (${formatDuration(trainEnd - trainStart)}): the upstream has no earlier samples (e.g. ` +
    `${labelsKey(labels)}: from ${new Date(dataStart!).toISOString()}, ` +
    `${Math.round(covered * 100)} % of the window); scores may flag normal patterns the data have not shown yet`
  );
}
