/**
 * The part of a push's forest walk that OnlineForest leaves to its host (push's `leaveShare`). A host that runs the
 * forest stage on its busiest thread hands these rows to a less busy one, which walks them with the same forest and
 * puts their raw scores in place (walkLeftRows) before calibrating. A row's score is the same double whichever
 * thread walks it and whatever rows it is walked with (scoringLayout.ts), so the completed result is exactly what a
 * push that walked every row itself returns. Plain typed arrays only: a walk may cross threads.
 */
import { anomalyScoring, type ForestScoring } from '../isolationForest';
import type { FeatureMatrix } from '../types';
import type { ModelSpan } from './onlineForest';

export interface LeftWalk {
  /** The detector's model whose forest walks the rows: rawScores[model] (per-column mode: the column's model). */
  model: number;
  /** The rows' features as the forest walks them (built and scaled by the model that scores the rows). */
  matrix: FeatureMatrix;
  /** Per matrix row, its position among the pushed rows; its raw score is NaN until the walk is done. */
  rows: Int32Array;
}

/** The results a walk completes: the raw scores by model, and the walks still to do. */
export interface WalkedScores {
  rawScores: Float64Array[];
  leftWalks?: LeftWalk[];
}

/**
 * Walks the rows `scores` left to the host and puts their raw scores in scores.rawScores; leftWalks is emptied.
 * @param spans the models that scored the push's rows (ForestStageResult.models, or the same spans handed over to
 *   another thread): a walk's rows lie in one span, whose detector's forest walks them
 * @param scoring how the forest scores the rows (a kept layout: keptLayoutScoring) [anomalyScoring]
 */
export function walkLeftRows(scores: WalkedScores, spans: ModelSpan[], scoring?: ForestScoring): void {
  for (const walk of scores.leftWalks ?? []) {
    if (walk.rows.length === 0) {
      continue;
    }
    const forest = spanOf(spans, walk.rows[0]).detector.forestOf(walk.model);
    const walked = new Float64Array(walk.rows.length);
    (scoring ?? anomalyScoring)(forest, walk.matrix, walked);
    const raw = scores.rawScores[walk.model];
    for (let i = 0; i < walk.rows.length; i++) {
      raw[walk.rows[i]] = walked[i];
    }
  }
  scores.leftWalks = undefined;
}

/** The span a pushed row was scored in: the last one that starts at or before it. */
function spanOf(spans: ModelSpan[], row: number): ModelSpan {
  let found: ModelSpan | undefined;
  for (const span of spans) {
    if (span.from <= row) {
      found = span;
    }
  }
  if (found === undefined) {
    throw new Error(`no model scored pushed row ${row}`);
  }
  return found;
}
