import { AnomalyDetector, EngineInputError, type ScoreResult } from '@telemetry-analyzer/engine';
import { type DetectorCache, rethreshold, thresholdedAt } from './detectorCache';
import type { Explanation, ModelJob, ModelOutcome, ScoreRequest } from './messages';
import { sameRows } from './sameRows';

/**
 * Most explained points per model: a tooltip needs only the marked points, and this bounds the time between two
 * pauses (all of a model's points are explained at once: one feature build, then a few tree walks per point).
 */
export const MAX_EXPLAINED_PER_MODEL = 500;

export interface JobHooks {
  /** Gives the thread back (worker: to receive a cancel; main thread: to keep the page responsive). */
  pause(): Promise<void>;
  isCancelled(): boolean;
  progress(done: number, total: number): void;
  /**
   * Rows the engine scores per step in the panel's job [ENGINE_STEP_ROWS]. The worker takes larger steps: there a
   * step only bounds how soon a cancel is noticed (a step per 2 048 rows built the forest's scoring layout anew each
   * time, 0.3 s of a million rows' 5 s, until scoreInChunks kept one layout for all its chunks). The scores are the
   * same whatever the steps.
   */
  engineStepRows?: number;
}

export class JobCancelled extends Error {
  constructor() {
    super('scoring job cancelled');
  }
}

/**
 * Trains (or reuses) and scores every model of a request, pausing between steps; the same code runs in the worker
 * and, when no worker can start, on the main thread. Throws JobCancelled as soon as it notices a cancel.
 */
export async function runScoreJob(
  request: ScoreRequest,
  cache: DetectorCache,
  hooks: JobHooks
): Promise<ModelOutcome[]> {
  const outcomes: ModelOutcome[] = [];
  const total = request.models.length * 2;
  let done = 0;
  const step = async () => {
    hooks.progress(++done, total);
    await hooks.pause();
    if (hooks.isCancelled()) {
      throw new JobCancelled();
    }
  };
  for (const model of request.models) {
    let current = cache.get(model.slot, model.trainingKey);
    let trained = false;
    /** Set when training already scored model.table (it trained on those very rows). */
    let trainingResult: ScoreResult | undefined;
    if (!current) {
      if (!model.training) {
        outcomes.push({
          slot: model.slot,
          ok: false,
          code: 'model-missing',
          message: 'no cached model; send training data',
        });
        done += 2;
        continue;
      }
      try {
        const options = {
          ...request.detector,
          forest: { ...request.detector.forest, contamination: request.contamination },
          mode: 'multivariate' as const,
        };
        if (sameRows(model.training, model.table)) {
          // Visible-range training: one feature build and one scoring pass give the model and its result.
          const { detector, results } = AnomalyDetector.trainAndScore(model.table, options);
          current = detector;
          trainingResult = results[0];
        } else {
          current = AnomalyDetector.train(model.training, options);
        }
        cache.set(model.slot, model.trainingKey, current);
        thresholdedAt(current, request.contamination);
        trained = true;
      } catch (error) {
        outcomes.push(failure(model, error));
        done += 1;
        await step();
        continue;
      }
    }
    await step();
    try {
      outcomes.push(scoreModel(current, model, request, trained, trainingResult));
    } catch (error) {
      outcomes.push(failure(model, error));
    }
    await step();
  }
  return outcomes;
}

function scoreModel(
  detector: AnomalyDetector,
  model: ModelJob,
  request: ScoreRequest,
  trained: boolean,
  trainingResult: ScoreResult | undefined
): ModelOutcome {
  let result = trainingResult;
  if (!result) {
    // Cheap: re-thresholds from the training scores the detector kept; a contamination change needs no retraining.
    rethreshold(detector, request.contamination);
    [result] = detector.score(model.table);
  }
  const times = Float64Array.from(result.rowIndex, (row) => model.table.timestamps[row]);
  const anomalous: number[] = [];
  for (let i = 0; i < result.isAnomaly.length && anomalous.length < MAX_EXPLAINED_PER_MODEL; i++) {
    if (result.isAnomaly[i]) {
      anomalous.push(i);
    }
  }
  const explained =
    anomalous.length > 0 ? detector.explainMany(model.table, result, anomalous, request.explainTop) : [];
  const explanations: Explanation[] = anomalous.map((i, k) => ({
    time: times[i],
    contributions: explained[k].map((c) => ({ name: c.name ?? `feature ${c.feature}`, weight: c.weight })),
  }));
  return {
    slot: model.slot,
    ok: true,
    trained,
    times,
    scores: Float64Array.from(result.scores),
    isAnomaly: Uint8Array.from(result.isAnomaly),
    threshold: result.threshold,
    unscoredRows: result.warmupRows.length + result.missingRows.length,
    explanations,
  };
}

/** An engine refusal (EngineInputError) or an unexpected error, as a failed outcome of the model. */
export function failure(model: Pick<ModelJob, 'slot'>, error: unknown): Extract<ModelOutcome, { ok: false }> {
  if (error instanceof EngineInputError) {
    return { slot: model.slot, ok: false, code: error.code, message: error.message };
  }
  return {
    slot: model.slot,
    ok: false,
    code: 'internal',
    message: error instanceof Error ? error.message : String(error),
  };
}
