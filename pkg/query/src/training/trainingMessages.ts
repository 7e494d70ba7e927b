/** What the proxy and its training workers say to each other (structured-cloned: typed arrays and plain objects). */
import type { DetectorOptions, EngineInputError, SeriesTable } from '@telemetry-analyzer/engine';
import type { OnlineScores } from '../query/onlineScoring';

/** Train one detector ('train'), or score an online=true query's unit (query/onlineScoring.ts). */
export type TrainingRequest =
  | { id: number; kind: 'train'; table: SeriesTable; options: DetectorOptions }
  | { id: number; kind: 'online'; table: SeriesTable; options: DetectorOptions; trainingEndMs: number };

export type TrainingReply =
  | { id: number; detector: unknown }
  | { id: number; online: OnlineScores | string }
  | {
      id: number;
      error: string;
      /** Set when the engine refused the data (an EngineInputError, rebuilt on the proxy's side). */
      input?: Pick<EngineInputError, 'code' | 'column' | 'row'>;
    };
