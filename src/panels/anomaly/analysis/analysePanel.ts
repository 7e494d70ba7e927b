import type { DataFrame, TimeRange } from '@grafana/data';
import { splitLongFrames } from '../data/longFrames';
import { type ModelLayout, planModels } from '../data/modelInputs';
import { dataStepMs } from '../data/dataStep';
import { type SeriesRef, findNumberSeries } from '../data/seriesRefs';
import { requiredPoints, toDetectorOptions } from '../model/detectorOptions';
import { alignedQueryStart, trainingPlan } from '../model/trainingPlan';
import { trainingDataKey } from '../model/trainingRange';
import { MAX_TRAINING_ROWS } from '../pipeline/chunkedScore';
import { copySeriesData, type KeptTimes } from '../pipeline/seriesData';
import type { PixelGrid } from '../pipeline/decimate';
import type { AnomalyOptions } from '../types';
import type { DrawnSeries, PanelColumn, PanelModelJob, PanelModelOutcome } from '../worker/messages';
import type { Scorer } from '../worker/scorer';
import type { BufferPool } from '../worker/bufferPool';

/** Top contributing features explained per hovered anomaly (shown in the tooltip). */
export const EXPLAIN_TOP = 3;

export type ModelProblem = { kind: 'not-enough-data' | 'constant' | 'error'; message: string };

/** A model of the panel: its key (the scorer's slot), what the user reads, and its series. */
export interface PanelModel {
  key: string;
  label: string;
  series: SeriesRef[];
  /** Grouped by a label: the series that lack it, grouped together (see planModels). */
  unlabelled?: boolean;
}

export interface ModelAnalysis {
  model: PanelModel;
  outcome?: Extract<PanelModelOutcome, { ok: true }>;
  problem?: ModelProblem;
  /** With a problem: its series drawn without scores (see PanelModelOutcome), when the worker could draw them. */
  unscored?: DrawnSeries[];
}

export type Analysis =
  | { status: 'no-data' }
  | { status: 'cancelled' }
  | {
      status: 'done';
      models: ModelAnalysis[];
      trainedModels: number;
      grid: PixelGrid;
      /**
       * The frames analysed (their fields' config draws the result), not newer ones still being analysed; long frames
       * split into a frame per series (see splitLongFrames), as the models' series refer to them.
       */
      frames: DataFrame[];
      /** Whether long frames were split (`frames` are not the data's own frames, whose fields Grafana configures). */
      framesSplit: boolean;
      /** Points of the visible series outside the dashboard's time range: left out of the analysis. */
      outsideRange: number;
      /** The training query failed (its message): the models trained on the visible range instead. */
      trainingQueryFailed?: string;
      /**
       * The training range holds more rows at the panel's step than a model trains on: the newest MAX_TRAINING_ROWS
       * were fetched, from `fromMs` (see trainingPlan).
       */
      trainingCapped?: { fromMs: number; toMs: number; rows: number };
    };

/** The training range's query failed: the analysis is made again on the visible range (analysePanel). */
class TrainingQueryFailed extends Error {}

export interface AnalysisContext {
  frames: DataFrame[];
  options: AnomalyOptions;
  visibleRange: TimeRange;
  scorer: Scorer;
  /** Pixel columns of the plot: the worker's answer is sized to them. */
  columns: number;
  /** The query interval (ms), the smallest step multivariate models are aligned on; 0 when unknown. */
  intervalMs: number;
  /**
   * Runs the panel's queries over another range (epoch ms, both ends included; Grafana's data source API), in pieces
   * of rows `stepMs` apart at most (model/trainingQueryRanges.ts): the frames of each piece.
   */
  fetchFrames(range: { from: number; to: number }, stepMs: number): Promise<DataFrame[][]>;
  onProgress?(fraction: number): void;
  /** Gives the main thread back between copy steps. */
  pause(): Promise<void>;
  isStale(): boolean;
}

/**
 * From the panel's frames to what it draws: the main thread only copies each series' fields into typed arrays
 * (in steps) and sends them; sorting, alignment, training, scoring, marks, regions and decimation to the plot's
 * pixel columns all happen in the scorer (the worker, or the main-thread fallback in small steps). Problems of
 * single models (too few points, constant series, engine refusals) are reported per model; the others still render.
 */
export async function analysePanel(ctx: AnalysisContext): Promise<Analysis> {
  try {
    return await analyseWith(ctx);
  } catch (error) {
    if (!(error instanceof TrainingQueryFailed)) {
      throw error;
    }
    // A review (2026-12-06): a failed training query (an upstream's 502) blanked the whole panel with "Anomaly
    // detection failed". The series are analysed on the visible range instead, and the panel says why.
    const visible = { ...ctx.options, training: { ...ctx.options.training, kind: 'visible' as const } };
    const analysis = await analyseWith({ ...ctx, options: visible });
    return analysis.status === 'done' ? { ...analysis, trainingQueryFailed: error.message } : analysis;
  }
}

async function analyseWith(ctx: AnalysisContext): Promise<Analysis> {
  const { options } = ctx;
  const frames = splitLongFrames(ctx.frames);
  const layout: ModelLayout = { mode: options.mode, groupByLabel: options.groupByLabel };
  const refs = findNumberSeries(frames);
  const models: PanelModel[] = planModels(refs, layout);
  if (models.length === 0 || refs.every((ref) => frames[ref.frameIndex].length === 0)) {
    return { status: 'no-data' };
  }

  // The step of the data (the one the alert rule the panel writes says: dataStepMs), else the query interval.
  const stepMs = dataStepMs(frames, refs) ?? ctx.intervalMs;
  // Where the data source starts the visible query (Grafana rounds a Prometheus query's start down to its step).
  const queryStartMs = alignedQueryStart(
    ctx.visibleRange.from.valueOf(),
    stepMs,
    ctx.visibleRange.to.utcOffset() * 60_000
  );
  const plan = trainingPlan(options.training, {
    online: options.online,
    stepMs,
    scoreStartMs: queryStartMs,
    features: { window: options.window, lags: options.lags },
    nowMs: Date.now(),
  });
  const range = plan?.fetch;
  const optionsKey = trainingOptionsKey(options);
  const trainingKeys = models.map((m) => {
    const ids = m.series.map((s) => s.id);
    // A training range moves on the hour (as the proxy's models): the key is the range itself, and the step its
    // rows are fetched at (a resized panel's new interval trains anew). The visible range moves on every refresh: its
    // models are kept until it moved by a tenth (trainingDataKey).
    const data = range
      ? `${range.from}-${range.to}@${stepMs}|${ids.join(',')}`
      : trainingDataKey({ from: ctx.visibleRange.from.valueOf(), to: ctx.visibleRange.to.valueOf() }, ids);
    return `${optionsKey}|${options.training.kind}|${data}`;
  });
  const grid: PixelGrid = {
    fromMs: ctx.visibleRange.from.valueOf(),
    toMs: ctx.visibleRange.to.valueOf(),
    columns: Math.max(1, Math.round(ctx.columns)),
  };
  const need = requiredPoints(options);

  // Rows of the visible series outside the dashboard's range (a query that ignores it: SQL without $__timeFilter, a
  // CSV source) are left out: analysed, they were counted and marked but never drawn (a browser review). The range
  // starts where the data source starts the query (rounded down to the step, a Min step included); an interval of
  // slack after its end.
  const visibleRows: KeptTimes = {
    fromMs: Math.min(queryStartMs, grid.fromMs),
    toMs: grid.toMs + Math.max(0, ctx.intervalMs),
  };
  const outsideRange = { outside: 0 };
  let baseline: Promise<DataFrame[][]> | undefined;
  /** Models whose baseline lacks their series: sending training rows again would not help them. */
  const withoutTrainingRows = new Set<string>();
  const job = async (only: (i: number) => boolean, resendTraining: boolean) => {
    const jobs: PanelModelJob[] = [];
    for (let i = 0; i < models.length; i++) {
      if (!only(i)) {
        continue;
      }
      const m = models[i];
      // Online mode keeps no model between jobs: the training rows go with every job.
      const needsTraining = options.online || resendTraining || !ctx.scorer.hasModel(m.key, trainingKeys[i]);
      let training: PanelColumn[] | undefined;
      if (needsTraining && range) {
        baseline ??= ctx.fetchFrames(range, stepMs).then(
          (pieces) => pieces.map(splitLongFrames),
          (error: unknown) => {
            throw new TrainingQueryFailed(error instanceof Error ? error.message : String(error));
          }
        );
        training = await baselineColumns(await baseline, m, { fromMs: range.from, toMs: range.to }, ctx.pause);
      }
      const noTrainingRows = range !== undefined && needsTraining && training === undefined;
      if (noTrainingRows) {
        withoutTrainingRows.add(m.key);
      }
      jobs.push({
        slot: m.key,
        trainingKey: trainingKeys[i],
        // (Counted in the first job only: a retry sends some of the same series again.)
        columns: await columnsOf(
          frames,
          m.series,
          ctx.pause,
          ctx.scorer.buffers,
          visibleRows,
          resendTraining ? undefined : outsideRange
        ),
        training: training ?? undefined,
        // Without a baseline the training rows are the columns sent: the worker may always train (no round trip to
        // send what it has when it dropped its model).
        mayTrain: !range || (needsTraining && training !== undefined),
        noTrainingRows,
      });
      if (ctx.isStale()) {
        return undefined;
      }
    }
    return ctx.scorer.analyse(
      {
        detector: toDetectorOptions(options),
        contamination: options.contamination,
        models: jobs,
        grid,
        rules: { minConsecutive: options.minConsecutive, direction: options.direction },
        window: options.window,
        intervalMs: ctx.intervalMs,
        check: {
          ...need,
          where: range ? 'in the training range' : 'in the visible range',
          trainsOnScoredRows: range === undefined,
        },
        online: options.online,
        onlineWarmupEndMs: plan?.warmupEndMs,
      },
      ctx.onProgress
    );
  };

  const first = await job(() => true, false);
  if (!first || first.status === 'cancelled') {
    return { status: 'cancelled' };
  }
  let outcomes = first.models;
  // The scorer lost models (worker restarted, fell back to the main thread): send training rows once more.
  const missing = new Set(
    outcomes.filter((o) => !o.ok && o.code === 'model-missing' && !withoutTrainingRows.has(o.slot)).map((o) => o.slot)
  );
  if (missing.size > 0) {
    const retry = await job((i) => missing.has(models[i].key), true);
    if (!retry || retry.status === 'cancelled') {
      return { status: 'cancelled' };
    }
    outcomes = [...outcomes.filter((o) => !missing.has(o.slot)), ...retry.models];
  }

  const analyses: ModelAnalysis[] = models.map((model) => ({ model }));
  let trainedModels = 0;
  for (const outcome of outcomes) {
    const analysis = analyses.find((a) => a.model.key === outcome.slot);
    if (!analysis) {
      continue;
    }
    if (outcome.ok) {
      analysis.outcome = outcome;
      trainedModels += outcome.trained ? 1 : 0;
    } else {
      analysis.problem = problemOf(outcome.code, outcome.message, options, range);
      analysis.unscored = outcome.series;
    }
  }
  return {
    status: 'done',
    models: analyses,
    trainedModels,
    grid,
    frames,
    framesSplit: frames !== ctx.frames,
    outsideRange: outsideRange.outside,
    ...(plan?.capped && {
      trainingCapped: { fromMs: plan.fetch.from, toMs: plan.warmupEndMs ?? plan.fetch.to, rows: MAX_TRAINING_ROWS },
    }),
  };
}

async function columnsOf(
  frames: DataFrame[],
  series: SeriesRef[],
  pause: () => Promise<void>,
  pool?: BufferPool,
  keep?: KeptTimes,
  counted?: { outside: number }
) {
  const columns: PanelColumn[] = [];
  for (const ref of series) {
    const frame = frames[ref.frameIndex];
    const times = frame.fields[ref.timeFieldIndex].values;
    const { outside, ...data } = await copySeriesData(times, frame.fields[ref.fieldIndex].values, pause, pool, keep);
    if (counted) {
      counted.outside += outside;
    }
    columns.push({ name: ref.name, ...data });
    // Many small series are as much work as one large one: the thread is given back after every series too.
    await pause();
  }
  return columns;
}

/**
 * A model's series in the baseline's pieces (matched by identity within each piece: identities are made unique
 * within one frame set, so a series of a later piece must not be looked up among all pieces' frames), joined, rows
 * outside `keep` (before the window: Grafana rounds a piece's start down to the step) left out; undefined if the
 * baseline lacks one.
 */
async function baselineColumns(
  pieces: DataFrame[][],
  model: PanelModel,
  keep: KeptTimes,
  pause: () => Promise<void>
): Promise<PanelColumn[] | undefined> {
  const found: PanelColumn[][] = model.series.map(() => []);
  for (const frames of pieces) {
    const byId = new Map(findNumberSeries(frames).map((ref) => [ref.id, ref]));
    for (let s = 0; s < model.series.length; s++) {
      const ref = byId.get(model.series[s].id);
      if (ref) {
        const frame = frames[ref.frameIndex];
        const data = await copySeriesData(
          frame.fields[ref.timeFieldIndex].values,
          frame.fields[ref.fieldIndex].values,
          pause,
          undefined,
          keep
        );
        found[s].push({ name: ref.name, times: data.times, values: data.values });
      }
    }
  }
  if (found.some((columns) => columns.length === 0)) {
    return undefined;
  }
  // Columns are named as in the model, whatever the baseline's display names.
  return found.map((columns, s) => ({ ...joinColumns(columns), name: model.series[s].name }));
}

/** One column of several pieces' columns of one series. */
function joinColumns(pieces: PanelColumn[]): PanelColumn {
  if (pieces.length === 1) {
    return pieces[0];
  }
  const length = pieces.reduce((sum, piece) => sum + piece.times.length, 0);
  const times = new Float64Array(length);
  const values = new Float64Array(length);
  let at = 0;
  for (const piece of pieces) {
    times.set(piece.times, at);
    values.set(piece.values, at);
    at += piece.times.length;
  }
  return { name: pieces[0].name, times, values };
}

/** Everything that changes what a model learns; contamination is left out on purpose (it only re-thresholds). */
export function trainingOptionsKey(o: AnomalyOptions): string {
  return JSON.stringify([
    o.trees,
    o.maxSamples,
    o.seed,
    o.window,
    o.lags,
    o.seasonality,
    o.online,
    o.mode,
    o.groupByLabel,
    o.training,
  ]);
}

function problemOf(
  code: string,
  message: string,
  o: AnomalyOptions,
  baseline: { from: number; to: number } | undefined
): ModelProblem {
  if (code === 'not-enough-data' || code === 'constant') {
    return { kind: code, message };
  }
  if (code === 'model-missing') {
    // The range asked for is named: past the data source's retention, or a label changed since (a browser review).
    const where = baseline
      ? `in the training range (${utcMinute(baseline.from)} to ${utcMinute(baseline.to)} UTC)`
      : 'in the visible range';
    return { kind: 'not-enough-data', message: `No data ${where} for this series` };
  }
  if (code === 'too-few-rows') {
    const need = requiredPoints(o);
    return { kind: 'not-enough-data', message: `${message} (needed: ${need.reason})` };
  }
  if (code === 'constant-column') {
    return { kind: 'constant', message };
  }
  return { kind: 'error', message };
}

/** An epoch time as "2026-12-06 18:05" (UTC). */
export function utcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
