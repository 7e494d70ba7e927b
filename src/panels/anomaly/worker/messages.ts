import type { Alignment, DetectorOptions, SeriesTable } from '@telemetry-analyzer/engine';
import type { MarkRules } from '../render/anomalyMarks';
import type { PixelGrid } from '../pipeline/decimate';
import type { SeriesData } from '../pipeline/seriesData';
import type { WarmUpOutcome, WarmUpTemplate } from './warmUp';
import type { TrainingCheck } from '../pipeline/checkTraining';

export type { TrainingCheck };

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

/** One column of a panel model: a series as its frame holds it (unsorted, untouched: the worker sorts it once). */
export interface PanelColumn extends SeriesData {
  name: string;
}

/** One model of a panel job: its series, raw; the worker builds the table, trains, scores, marks and decimates. */
export interface PanelModelJob {
  slot: string;
  trainingKey: string;
  columns: PanelColumn[];
  /** Baseline rows (same columns) when the model must train on another range; absent: train on `columns`. */
  training?: PanelColumn[];
  /** Whether the model may train when the cache misses: false when its baseline rows were not sent. */
  mayTrain: boolean;
  /**
   * The panel has no training rows to send for it (its baseline came back without the series): a missing model is
   * then final, and its series are drawn without scores (as a model with too few rows), not left for a retry.
   */
  noTrainingRows?: boolean;
}

export interface AnalyseRequest {
  type: 'analyse';
  jobId: number;
  detector: DetectorOptions;
  contamination: 'auto' | number;
  models: PanelModelJob[];
  /** The pixel columns of the plot: what the answer is sized to. */
  grid: PixelGrid;
  rules: MarkRules;
  /** Rolling window of the direction filter, in points. */
  window: number;
  /** Multivariate models: the query interval, the smallest step they are aligned on (0: unknown). */
  intervalMs: number;
  check: TrainingCheck;
  /**
   * Online mode (pipeline/onlineScore.ts): every visible point scored from the points before it, with calibrated
   * scores, as `online=true` alert rules score them. Needs the training rows on every job (nothing is cached).
   */
  online?: boolean;
  /**
   * Online with a training range: rows before this warm the detector up, later ones are scored (those before the
   * visible range are not drawn). Absent: the training rows before the visible range warm it up.
   */
  onlineWarmupEndMs?: number;
  /**
   * Buffers of earlier answers the panel no longer draws (its lines, marks and scores: outputBuffers), given back
   * for this answer's arrays of the same sizes: new memory is faulted in and zeroed page by page (see BufferPool).
   */
  returned?: ArrayBuffer[];
}

/** Explains the anomaly at `time` of a slot's latest result, on demand (the tooltip's hovered mark). */
export interface ExplainRequest {
  type: 'explain';
  jobId: number;
  slot: string;
  time: number;
  top: number;
}

/** The worker's end of a channel to another worker of the pool, which shares big tables' scoring (peerScoring.ts). */
export interface PeerRequest {
  type: 'peer';
  port: MessagePort;
}

/** A new worker's warm-up in its idle time, on made-up series with the panel's parameters (warmUp.ts). */
export interface WarmUpRequest {
  type: 'warm-up';
  template: WarmUpTemplate;
}

/** Stops the worker's warm-up (under way or waiting for its jobs to end): another panel's job wants the core. */
export interface StopWarmUpRequest {
  type: 'stop-warm-up';
}

export type WorkerRequest =
  ScoreRequest | CancelRequest | AnalyseRequest | ExplainRequest | PeerRequest | WarmUpRequest | StopWarmUpRequest;

/** What the panel draws of one series of a model, sized to the grid (2 slots per pixel column). */
export interface DrawnSeries {
  name: string;
  /** Min/max of the series per column (NaN: no point there). */
  line: Float64Array;
  /** Marked anomalies per column (NaN: none), with their own times in markTimes. */
  marks: Float64Array;
  markTimes: Float64Array;
  /** Runs of marked points merged per pixel: [start0, end0, start1, end1, ...] (epoch ms). For drawing only. */
  regions: Float64Array;
  /**
   * The runs of marked points themselves, as the marking rules found them ([start0, end0, ...], epoch ms): what the
   * panel writes as annotations, the same whatever the panel's width (regions above merge per pixel column).
   */
  runs: Float64Array;
  /** Marked points (all of them, not only the drawn marks). */
  anomalyCount: number;
  /** Median spacing of the series' points, in ms (to connect the line across empty pixel columns). */
  stepMs: number;
}

export type PanelModelOutcome =
  | {
      slot: string;
      ok: true;
      trained: boolean;
      threshold: number;
      /** Rows scored, and of those the engine's anomalies (before the marking rules). */
      scoredRows: number;
      /** Rows this job scored (a refresh with a cached model scores only new or changed rows); absent: all. */
      scoredAnew?: number;
      flaggedRows: number;
      unscoredRows: number;
      /** Min/max score per column. */
      scores: Float64Array;
      scoreRange: [number, number];
      series: DrawnSeries[];
      /** Multivariate models: how the series were put on a common step. */
      alignment?: Alignment;
    }
  | {
      slot: string;
      ok: false;
      /** 'not-enough-data', 'constant', an EngineInputError code, 'model-missing' or 'internal'. */
      code: string;
      message: string;
      /**
       * Its series as lines alone (no marks, no scores), so that a series the model could not analyse is still drawn
       * instead of vanishing from the chart; absent when they could not be read either.
       */
      series?: DrawnSeries[];
    };

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
  | {
      type: 'analysed';
      jobId: number;
      models: PanelModelOutcome[];
      /** Buffers of series the worker was sent earlier and no longer holds: the panel's next copies reuse them. */
      recycled?: ArrayBuffer[];
    }
  | { type: 'explanation'; jobId: number; explanation: Explanation | null }
  | { type: 'cancelled'; jobId: number }
  | { type: 'error'; jobId: number; message: string }
  /** The warm-up's end (see WarmUpOutcome) and its time. */
  | { type: 'warmed-up'; outcome: WarmUpOutcome; ms: number };

/** Buffers of a request's tables, for postMessage's transfer list (each once: duplicates throw DataCloneError). */
export function requestTransferables(request: ScoreRequest | AnalyseRequest): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  if (request.type === 'analyse') {
    request.returned?.forEach((buffer) => buffers.add(buffer));
    for (const m of request.models) {
      for (const c of [...m.columns, ...(m.training ?? [])]) {
        buffers.add(c.times.buffer as ArrayBuffer);
        buffers.add(c.values.buffer as ArrayBuffer);
      }
    }
    return [...buffers];
  }
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
  const buffers = new Set<ArrayBuffer>();
  if (response.type === 'analysed') {
    response.recycled?.forEach((buffer) => buffers.add(buffer));
    for (const m of response.models) {
      if (m.ok) {
        buffers.add(m.scores.buffer as ArrayBuffer);
      }
      for (const s of m.series ?? []) {
        [s.line, s.marks, s.markTimes, s.regions, s.runs].forEach((a) => buffers.add(a.buffer as ArrayBuffer));
      }
    }
    return [...buffers];
  }
  if (response.type !== 'result') {
    return [];
  }
  response.models.forEach((m) => {
    if (m.ok) {
      buffers.add(m.times.buffer as ArrayBuffer);
      buffers.add(m.scores.buffer as ArrayBuffer);
      buffers.add(m.isAnomaly.buffer as ArrayBuffer);
    }
  });
  return [...buffers];
}
