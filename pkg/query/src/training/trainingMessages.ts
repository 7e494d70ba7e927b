/** What the proxy and its engine workers say to each other (structured-cloned: typed arrays and plain objects). */
import type { DetectorOptions, EngineInputError, SeriesTable, TransferredDetector } from '@telemetry-analyzer/engine';
import type { AnswerReading } from '../upstreams/answerReading';
import type { AnswerFormat, OnlineJob, OnlineUnit, ScoreJob, ScoredUnit, TrainedDetector } from './engineJobs';

/**
 * The jobs of training/engineJobs.ts: train, decode a stored model, score a unit, score an online=true unit, parse a
 * Prometheus or InfluxDB answer.
 */
export type TrainingRequest =
  | { id: number; kind: 'train'; table: SeriesTable; options: DetectorOptions; save: boolean }
  | { id: number; kind: 'decode'; saved: unknown }
  | { id: number; kind: 'score'; job: ScoreJob }
  | { id: number; kind: 'online'; job: OnlineJob }
  | { id: number; kind: 'parseMatrix'; body: string | Uint8Array[]; format: AnswerFormat };

export type TrainingReply =
  | { id: number; trained: TrainedDetector }
  | { id: number; decoded: TransferredDetector }
  | { id: number; scored: ScoredUnit }
  | { id: number; online: OnlineUnit }
  | { id: number; series: AnswerReading }
  | {
      id: number;
      error: string;
      /** The error's class name, so a ModelFormatError stays one. */
      name?: string;
      /** Set when the engine refused the data (an EngineInputError, rebuilt on the proxy's side). */
      input?: Pick<EngineInputError, 'code' | 'column' | 'row'>;
    };
