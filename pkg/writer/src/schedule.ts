/**
 * The schedule a job scores by, as pure time arithmetic. Models are fit at epoch-aligned multiples of fit_every
 * (the fit time F); the model of F trains on [F - fit_window, F - step] and scores every point in [F, F + fit_every).
 * So the model that scores a point depends only on the point's time: live runs, a restarted writer, replicas and a
 * backfill of the same range score every point with the same model, and each equals the proxy's answer to
 * `anomaly_score(query, options, train_start=F - fit_window, train_end=F - step)`.
 */
import type { JobConfig } from './config';

export interface ScoringChunk {
  /** First and last scored timestamp (ms, on the step grid), within one fit period. */
  startMs: number;
  endMs: number;
  /** The fit time F of the period. */
  fitAtMs: number;
  trainStartMs: number;
  trainEndMs: number;
}

export function alignDown(timeMs: number, stepMs: number): number {
  return Math.floor(timeMs / stepMs) * stepMs;
}

/**
 * [fromMs, toMs] (on the step grid) cut at fit times and into pieces of at most `maxPoints` points, in time order.
 */
export function scoringChunks(
  job: Pick<JobConfig, 'stepMs' | 'schedule'>,
  fromMs: number,
  toMs: number,
  maxPoints: number
): ScoringChunk[] {
  const { stepMs } = job;
  const { fitEveryMs, fitWindowMs } = job.schedule;
  const chunks: ScoringChunk[] = [];
  for (let t = fromMs; t <= toMs;) {
    const fitAtMs = alignDown(t, fitEveryMs);
    const endMs = Math.min(toMs, fitAtMs + fitEveryMs - stepMs, t + (maxPoints - 1) * stepMs);
    chunks.push({ startMs: t, endMs, fitAtMs, trainStartMs: fitAtMs - fitWindowMs, trainEndMs: fitAtMs - stepMs });
    t = endMs + stepMs;
  }
  return chunks;
}

/** The anomaly query a chunk is scored with: what the proxy answers for the same points. */
export function chunkQueryText(
  job: Pick<JobConfig, 'query' | 'optionsText'>,
  fn: 'anomaly_score' | 'anomaly_flag' | 'anomaly_threshold',
  chunk: Pick<ScoringChunk, 'trainStartMs' | 'trainEndMs'>
): string {
  const options = job.optionsText ? `, ${job.optionsText}` : '';
  return `${fn}(${job.query}${options}, train_start=${chunk.trainStartMs / 1000}, train_end=${chunk.trainEndMs / 1000})`;
}
