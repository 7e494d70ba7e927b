/** What the proxy and its training workers say to each other (structured-cloned: typed arrays and plain objects). */
import type { DetectorOptions, EngineInputError, SeriesTable } from '@telemetry-analyzer/engine';

export interface TrainingRequest {
  id: number;
  table: SeriesTable;
  options: DetectorOptions;
}

export type TrainingReply =
  | { id: number; detector: unknown }
  | {
      id: number;
      error: string;
      /** Set when the engine refused the data (an EngineInputError, rebuilt on the proxy's side). */
      input?: Pick<EngineInputError, 'code' | 'column' | 'row'>;
    };
