/**
 * Hosts score batch after batch (the CLI a file in chunks, the panel a series in chunks with pauses between), mostly
 * with one forest between refits: IsolationForest.anomalyScores would build the forest's dense scoring layout for
 * every batch and drop it (~0.9 ms each for 100 trees of 42 features, ~240 batches per million rows of 6 metrics). A
 * ForestBatchScorer keeps it; this keeps the scorer of the forest scored last, so the layout lives as long as that
 * forest is the one in use, and at most one layout per ForestScoring is held. Several forests taking turns (groups,
 * per-column models) build one per call, as anomalyScores does. Same scores either way, bit for bit.
 */
import type { ForestBatchScorer, ForestScoring, IsolationForest } from './isolationForest';

/** A ForestScoring on this thread that keeps the dense layout of the forest it scored last. */
export function keptLayoutScoring(): ForestScoring {
  let forest: IsolationForest | undefined;
  let scorer: ForestBatchScorer | undefined;
  return (current, matrix, out) => {
    if (current !== forest) {
      forest = current;
      scorer = current.batchScorer();
    }
    scorer!(matrix, out);
  };
}
