/**
 * The engine work of an anomaly query, as jobs that run on a worker thread of the pool (trainingPool.ts) or, with
 * no pool, on the event loop: the same functions either way, so a worker scores exactly as the event loop would.
 *
 * The thread that keeps the models (the evaluator's) holds each as the engine's TransferredDetector: typed arrays
 * and plain values, handed to a worker with postMessage (copied whole, never walked) and wrapped there without
 * per-tree work (AnomalyDetector.fromTransfer). So that thread never decodes, trains or scores a model, and never
 * walks the points of a scored table.
 */
import {
  AnomalyDetector,
  type DetectorOptions,
  type SerializedDetector,
  type SeriesTable,
  type TransferredDetector,
} from '@telemetry-analyzer/engine';
import type { AnomalyFunction } from '../query/anomalyQuery';
import { scoreOnline } from '../query/onlineScoring';
import { scoreWithCache, type CachedScoring, type ScoredTable } from '../query/scoreCache';
import { flaggedInRange, samplesInRange, type Samples } from '../query/scoredSamples';

import type { AnswerReading } from '../upstreams/answerReading';
import { readInfluxAnswer } from '../upstreams/influxUpstream';
import { readMatrixAnswer } from '../upstreams/prometheusUpstream';

/** Which upstream's answer a parse job reads. */
export type AnswerFormat = 'prometheus' | 'influx';

/** What an upstream's answer with a success status holds: its series, or what is wrong with it (answerReading.ts). */
export function readAnswer(answer: string | Uint8Array[], format: AnswerFormat): AnswerReading {
  const body = typeof answer === 'string' ? answer : Buffer.concat(answer).toString('utf8');
  return format === 'influx' ? readInfluxAnswer(body) : readMatrixAnswer(body);
}

/** A newly trained model: what scores (transfer) and, when asked for, what the model store writes (saved). */
export interface TrainedDetector {
  transfer: TransferredDetector;
  saved?: SerializedDetector;
}

export function trainDetector(table: SeriesTable, options: DetectorOptions, save: boolean): TrainedDetector {
  const detector = AnomalyDetector.train(table, options);
  // toJSON needs the training rows' scores, which toTransfer lets go (as releaseTrainingData): it comes first.
  const saved = save ? detector.toJSON() : undefined;
  return { transfer: detector.toTransfer(), saved };
}

/** A model read from the store (the engine's JSON form), checked and made ready to score; throws ModelFormatError. */
export function decodeDetector(saved: unknown): TransferredDetector {
  return AnomalyDetector.fromJSON(saved).toTransfer();
}

/** One unit to score: the model, its table, its previous scores, and which answer the query wants of them. */
export interface ScoreJob {
  detector: TransferredDetector;
  /** Columns in the detector's order. */
  table: SeriesTable;
  /** The model's score cache (query/scoreCache.ts), if it has one. */
  previous?: ScoredTable;
  fn: AnomalyFunction;
  /** Other functions whose samples the same scores answer too (the writer writes score, flag and threshold). */
  alsoFns?: AnomalyFunction[];
  /** The range the answer holds. */
  scoreStartMs: number;
  scoreEndMs: number;
}

/** Samples of further functions from the same scored rows. */
export type AlsoSamples = Partial<Record<AnomalyFunction, Samples>>;

/** The scores (for the score cache), the answer's samples, and the flagged share of the answered range. */
export interface ScoredUnit extends CachedScoring {
  samples: Samples;
  also?: AlsoSamples;
  flagged: { flagged: number; rows: number };
}

function alsoSamples(
  fns: AnomalyFunction[] | undefined,
  scored: ScoredTable,
  startMs: number,
  endMs: number,
  flags?: Uint8Array
): AlsoSamples | undefined {
  return fns && Object.fromEntries(fns.map((fn) => [fn, samplesInRange(fn, scored, startMs, endMs, flags)]));
}

export function scoreUnit(job: ScoreJob): ScoredUnit {
  const detector = AnomalyDetector.fromTransfer(job.detector);
  const cached = scoreWithCache(detector, job.table, job.previous);
  return {
    ...cached,
    samples: samplesInRange(job.fn, cached.scored, job.scoreStartMs, job.scoreEndMs),
    also: alsoSamples(job.alsoFns, cached.scored, job.scoreStartMs, job.scoreEndMs),
    flagged: flaggedInRange(cached.scored, job.scoreStartMs, job.scoreEndMs),
  };
}

/** An online=true unit (query/onlineScoring.ts) and the samples its answer holds. */
export interface OnlineJob {
  table: SeriesTable;
  options: DetectorOptions;
  trainingEndMs: number;
  fn: AnomalyFunction;
  alsoFns?: AnomalyFunction[];
  scoreStartMs: number;
  scoreEndMs: number;
}

/** An online unit's answer samples, its flagged share of the answered range, and the rows it scored in all. */
export type OnlineUnit =
  { samples: Samples; also?: AlsoSamples; flagged: { flagged: number; rows: number }; rowsScored: number } | string;

export function scoreOnlineUnit(job: OnlineJob): OnlineUnit {
  const outcome = scoreOnline(job.table, job.options, job.trainingEndMs);
  if (typeof outcome === 'string') {
    return outcome;
  }
  const { scored, flags } = outcome;
  return {
    samples: samplesInRange(job.fn, scored, job.scoreStartMs, job.scoreEndMs, flags),
    also: alsoSamples(job.alsoFns, scored, job.scoreStartMs, job.scoreEndMs, flags),
    flagged: flaggedInRange(scored, job.scoreStartMs, job.scoreEndMs, flags),
    rowsScored: scored.scoredRows.reduce((n, s) => n + s, 0),
  };
}
