import type { DetectorOptions, SeriesTable } from '@telemetry-analyzer/engine';

/** One model of a scoring job. */
export interface ModelJob {
  /** The model's place in the cache (panel + series or group): a retrained model replaces the old one there. */
  slot: string;
  /** What the model was trained on and with (options without contamination, training data identity). */
  trainingKey: string;
  /** Training rows; needed when the cache holds no model for slot + trainingKey. */
  training?: SeriesTable;
  /** Rows to score. */
  table: SeriesTable;
}

export interface ScoreRequest {
  type: 'score';
  jobId: number;
  /** Engine options without contamination; contamination only re-thresholds a cached model. */
  detector: DetectorOptions;
  contamination: 'auto' | number;
  models: ModelJob[];
  /** How many top contributing features to explain per anomalous point. */
  explainTop: number;
}

export interface CancelRequest {
  type: 'cancel';
  jobId: number;
}

export type WorkerRequest = ScoreRequest | CancelRequest;

export interface Explanation {
  /** Epoch ms of the anomalous point. */
  time: number;
  contributions: Array<{ name: string; weight: number }>;
}

export type ModelOutcome =
  | {
      slot: string;
      ok: true;
      /** Whether this job trained the model (false: the cached one was reused). */
      trained: boolean;
      /** Epoch ms of every scored row. */
      times: Float64Array;
      scores: Float64Array;
      isAnomaly: Uint8Array;
      threshold: number;
      /** Rows not scored because of missing history (window, lags) or a missing value. */
      unscoredRows: number;
      explanations: Explanation[];
    }
  | {
      slot: string;
      ok: false;
      /** The engine's EngineInputError code, 'model-missing' (send training data) or 'internal'. */
      code: string;
      message: string;
    };

export type WorkerResponse =
  | { type: 'progress'; jobId: number; done: number; total: number }
  | { type: 'result'; jobId: number; models: ModelOutcome[] }
  | { type: 'cancelled'; jobId: number }
  | { type: 'error'; jobId: number; message: string };

/** Buffers of a request's tables, for postMessage's transfer list (each once: duplicates throw DataCloneError). */
export function requestTransferables(request: ScoreRequest): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const addTable = (table: SeriesTable | undefined) => {
    if (!table) {
      return;
    }
    buffers.add(table.timestamps.buffer as ArrayBuffer);
    table.columns.forEach((c) => buffers.add(c.values.buffer as ArrayBuffer));
  };
  request.models.forEach((m) => {
    addTable(m.table);
    addTable(m.training);
  });
  return [...buffers];
}

/** Buffers of a response, for the transfer list back to the panel. */
export function responseTransferables(response: WorkerResponse): ArrayBuffer[] {
  if (response.type !== 'result') {
    return [];
  }
  const buffers = new Set<ArrayBuffer>();
  response.models.forEach((m) => {
    if (m.ok) {
      buffers.add(m.times.buffer as ArrayBuffer);
      buffers.add(m.scores.buffer as ArrayBuffer);
      buffers.add(m.isAnomaly.buffer as ArrayBuffer);
    }
  });
  return [...buffers];
}
