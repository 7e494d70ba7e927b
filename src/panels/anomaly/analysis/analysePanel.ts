import type { DataFrame, TimeRange } from '@grafana/data';
import type { SeriesTable } from '@telemetry-analyzer/engine';
import { type ModelInput, buildModelInputs, buildTrainingTables } from '../data/modelInputs';
import { requiredPoints, toDetectorOptions } from '../model/detectorOptions';
import { trainingDataKey, trainingTimeRange } from '../model/trainingRange';
import type { AnomalyOptions } from '../types';
import type { ModelOutcome } from '../worker/messages';
import type { Scorer } from '../worker/scorer';

/** Top contributing features explained per anomalous point (shown in the tooltip). */
export const EXPLAIN_TOP = 3;

export type ModelProblem = { kind: 'not-enough-data' | 'constant' | 'error'; message: string };

export interface ModelAnalysis {
  model: ModelInput;
  outcome?: Extract<ModelOutcome, { ok: true }>;
  problem?: ModelProblem;
}

export type Analysis =
  { status: 'no-data' } | { status: 'cancelled' } | { status: 'done'; models: ModelAnalysis[]; trainedModels: number };

export interface AnalysisContext {
  frames: DataFrame[];
  options: AnomalyOptions;
  visibleRange: TimeRange;
  scorer: Scorer;
  /** Runs the panel's queries over another range (Grafana's data source API). */
  fetchFrames(range: TimeRange): Promise<DataFrame[]>;
  onProgress?(fraction: number): void;
}

/**
 * From the panel's frames to anomalies: one model per series or group, trained on the chosen range (or reused from
 * the cache), scored in the worker (or the main-thread fallback). Problems of single models (too few points,
 * constant series, engine refusals) are reported per model; the others still render.
 */
export async function analysePanel(ctx: AnalysisContext): Promise<Analysis> {
  const { options } = ctx;
  const layout = { mode: options.mode, groupByLabel: options.groupByLabel };
  const models = buildModelInputs(ctx.frames, layout);
  if (models.length === 0 || models.every((m) => m.table.timestamps.length === 0)) {
    return { status: 'no-data' };
  }

  const range = trainingTimeRange(options.training, ctx.visibleRange);
  const trainingSpan = range ?? ctx.visibleRange;
  const optionsKey = trainingOptionsKey(options);
  const trainingKeys = models.map(
    (m) =>
      `${optionsKey}|${options.training.kind}|${trainingDataKey(
        { from: trainingSpan.from.valueOf(), to: trainingSpan.to.valueOf() },
        m.series.map((s) => s.id)
      )}`
  );

  const analyses: ModelAnalysis[] = models.map((model) => ({ model }));
  let trainingTables: Array<SeriesTable | undefined> | undefined;
  const loadTraining = async (): Promise<Array<SeriesTable | undefined>> => {
    if (!range) {
      // Training on the visible data: fresh tables each time, since tables sent to the worker are transferred away.
      return buildModelInputs(ctx.frames, layout).map((m) => m.table);
    }
    if (!trainingTables) {
      trainingTables = buildTrainingTables(await ctx.fetchFrames(range), models);
    }
    return trainingTables.map((t) => t && copyTable(t));
  };

  // Models that must train get their training rows checked here, with a message that says what is missing.
  const needsTraining = models.map((m, i) => !ctx.scorer.hasModel(m.key, trainingKeys[i]));
  const training = needsTraining.some(Boolean) ? await loadTraining() : [];
  needsTraining.forEach((needed, i) => {
    if (needed) {
      analyses[i].problem = checkTrainingTable(training[i], options, range !== undefined);
    }
  });

  const runnable = () => analyses.map((a, i) => ({ a, i })).filter(({ a }) => !a.problem);
  const fresh = buildModelInputs(ctx.frames, layout);
  const first = await ctx.scorer.run(
    {
      detector: toDetectorOptions(options),
      contamination: options.contamination,
      explainTop: EXPLAIN_TOP,
      models: runnable().map(({ i }) => ({
        slot: models[i].key,
        trainingKey: trainingKeys[i],
        training: needsTraining[i] ? training[i] : undefined,
        table: fresh[i].table,
      })),
    },
    ctx.onProgress
  );
  if (first.status === 'cancelled') {
    return { status: 'cancelled' };
  }
  let outcomes = first.models;

  // The scorer lost models (worker restarted, fell back to the main thread): send training rows once more.
  const missing = outcomes.filter((o) => !o.ok && o.code === 'model-missing').map((o) => o.slot);
  if (missing.length > 0) {
    const again = await loadTraining();
    const retryFresh = buildModelInputs(ctx.frames, layout);
    const retry = await ctx.scorer.run(
      {
        detector: toDetectorOptions(options),
        contamination: options.contamination,
        explainTop: EXPLAIN_TOP,
        models: runnable()
          .filter(({ i }) => missing.includes(models[i].key))
          .map(({ i }) => ({
            slot: models[i].key,
            trainingKey: trainingKeys[i],
            training: again[i],
            table: retryFresh[i].table,
          })),
      },
      ctx.onProgress
    );
    if (retry.status === 'cancelled') {
      return { status: 'cancelled' };
    }
    outcomes = [...outcomes.filter((o) => !missing.includes(o.slot)), ...retry.models];
  }

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
      analysis.problem = problemFromEngine(outcome.code, outcome.message, options);
    }
  }
  return { status: 'done', models: analyses, trainedModels };
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
    o.mode,
    o.groupByLabel,
    o.training,
  ]);
}

function checkTrainingTable(
  table: SeriesTable | undefined,
  o: AnomalyOptions,
  baseline: boolean
): ModelProblem | undefined {
  const where = baseline ? 'in the training range' : 'in the visible range';
  if (!table) {
    return { kind: 'not-enough-data', message: `No data ${where} for this series` };
  }
  const need = requiredPoints(o);
  const rows = countCompleteRows(table);
  if (rows < need.count) {
    return {
      kind: 'not-enough-data',
      message: `${rows} points ${where}; at least ${need.count} are needed: ${need.reason}`,
    };
  }
  const constant = table.columns.find((c) => isConstant(c.values));
  if (constant) {
    return {
      kind: 'constant',
      message: `${constant.name} does not change ${where}: a constant series has no anomalies to find`,
    };
  }
  return undefined;
}

function problemFromEngine(code: string, message: string, o: AnomalyOptions): ModelProblem {
  if (code === 'too-few-rows') {
    const need = requiredPoints(o);
    return { kind: 'not-enough-data', message: `${message} (needed: ${need.reason})` };
  }
  if (code === 'constant-column') {
    return { kind: 'constant', message };
  }
  return { kind: 'error', message };
}

function countCompleteRows(table: SeriesTable): number {
  let count = 0;
  for (let r = 0; r < table.timestamps.length; r++) {
    if (table.columns.every((c) => Number.isFinite(c.values[r]))) {
      count++;
    }
  }
  return count;
}

function isConstant(values: Float64Array): boolean {
  let first = NaN;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      continue;
    }
    if (Number.isNaN(first)) {
      first = v;
    } else if (v !== first) {
      return false;
    }
  }
  return true;
}

function copyTable(t: SeriesTable): SeriesTable {
  return {
    timestamps: t.timestamps.slice(),
    columns: t.columns.map((c) => ({ name: c.name, values: c.values.slice() })),
  };
}
