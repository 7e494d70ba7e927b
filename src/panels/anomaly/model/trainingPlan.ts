import { DEFAULT_RETRAIN_INTERVAL_MS, batchTrainingEnd, onlineTrainingEnd } from '@telemetry-analyzer/engine';
import { MAX_TRAINING_ROWS } from '../pipeline/chunkedScore';
import type { TrainingRangeOptions } from '../types';
import { DAY_MS, unusableFixedRange } from './trainingRange';

/** Where the models' training rows come from when they do not train on the visible data itself. */
export interface TrainingPlan {
  /** The range (epoch ms) the panel's queries run over again for the training rows (both ends included). */
  fetch: { from: number; to: number };
  /**
   * Online mode: rows before this warm the detector up (its first model); the rows after it and before the visible
   * range are scored, from the rows before them, but not drawn (as the proxy scores them, not returning them).
   */
  warmupEndMs?: number;
  /**
   * The window holds more rows at the panel's step than a model trains on (MAX_TRAINING_ROWS): `fetch` starts later
   * than the window, at its newest rows, and the panel says so.
   */
  capped?: boolean;
}

/** What the training rows of a panel depend on besides its training option. */
export interface TrainingContext {
  online: boolean;
  /**
   * The step of the panel's rows: its query interval, or the spacing its data shows when wider (a Min step, or rows
   * of a source that does not bucket by the interval); 0 when unknown.
   */
  stepMs: number;
  /**
   * The first point of the visible range's query as the data source asks for it (Grafana rounds a Prometheus query's
   * start down to its step, in the dashboard's UTC offset: alignedQueryStart): the proxy's windows start from the
   * start of the query it is sent.
   */
  scoreStartMs: number;
  features: { window: number; lags: number };
  nowMs: number;
}

/**
 * The training rows of a panel, as the anomaly proxy reads the alert rule the panel writes (the engine's
 * contract/trainingWindows.ts, at the proxy's default retrain interval): a "previous N days" window ends on the hour
 * before the visible range (batch: before its first point's feature history), and in online mode the rows from
 * there to the visible range are scored as well. Undefined when the models train on the visible data itself.
 */
export function trainingPlan(training: TrainingRangeOptions, context: TrainingContext): TrainingPlan | undefined {
  const { scoreStartMs, stepMs } = context;
  let startMs: number;
  let endMs: number;
  if (training.kind === 'previous') {
    endMs = context.online
      ? onlineTrainingEnd(scoreStartMs, DEFAULT_RETRAIN_INTERVAL_MS)
      : batchTrainingEnd(scoreStartMs, stepMs, context.features, DEFAULT_RETRAIN_INTERVAL_MS, context.nowMs);
    startMs = endMs - training.previousDays * DAY_MS;
  } else if (training.kind === 'absolute' && unusableFixedRange(training) === undefined) {
    startMs = training.from!;
    endMs = training.to!;
  } else {
    return undefined;
  }
  // The models train on the newest MAX_TRAINING_ROWS rows of the window: older ones are not fetched.
  const newestStart = stepMs > 0 ? endMs - (MAX_TRAINING_ROWS - 1) * stepMs : -Infinity;
  const capped = newestStart > startMs ? { capped: true } : {};
  startMs = Math.max(startMs, newestStart);
  if (!context.online) {
    return { fetch: { from: startMs, to: endMs }, ...capped };
  }
  // Online, the rows up to the visible range go through the detector too (a window ending inside the visible range
  // warms up on visible rows as well).
  return { fetch: { from: startMs, to: Math.max(endMs, scoreStartMs) }, warmupEndMs: endMs, ...capped };
}

/**
 * The start of a query over [fromMs, …] at `stepMs` as Grafana's Prometheus data source sends it: rounded down to
 * a multiple of the step in the dashboard's UTC offset (grafana/grafana pkg/promlib/models/query.go,
 * AlignTimeRange, with the utcOffsetSec the frontend sends). Without a step, `fromMs`.
 */
export function alignedQueryStart(fromMs: number, stepMs: number, utcOffsetMs: number): number {
  return stepMs > 0 ? Math.floor((fromMs + utcOffsetMs) / stepMs) * stepMs - utcOffsetMs : fromMs;
}
