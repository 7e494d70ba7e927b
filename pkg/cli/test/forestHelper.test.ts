// The forest walk split with a helper thread (ForestHelper, the built module: its thread runs dist/ code) gives
// every row the very double one thread gives, through forest hand-overs and small batches kept on one thread.
import { createRandom, IsolationForest } from '@telemetry-analyzer/engine';
import { ForestHelper, MIN_SPLIT_ROWS } from '../dist/pipeline/forestHelper';

function matrix(rows: number, cols: number, seed: number) {
  const random = createRandom(seed);
  return { rows, cols, values: Float32Array.from({ length: rows * cols }, () => random.nextFloat()) };
}

describe('ForestHelper', () => {
  it('scores bit for bit as anomalyScores on one thread', () => {
    const helper = new ForestHelper();
    try {
      const forests = [1, 2].map((seed) => new IsolationForest({ seed, nEstimators: 50 }).fit(matrix(600, 7, seed)));
      // forest 0, then a new one (handed over), then the first again, and a batch too small to split
      for (const [f, rows] of [
        [0, 9001],
        [1, 5000],
        [0, MIN_SPLIT_ROWS],
        [0, MIN_SPLIT_ROWS - 1],
      ]) {
        const x = matrix(rows, 7, 10 + rows);
        const expected = forests[f].anomalyScores(x);
        const out = new Float64Array(rows).fill(NaN);
        helper.scoring(forests[f], x, out);
        expect(Array.from(out)).toEqual(Array.from(expected));
      }
    } finally {
      helper.close();
    }
  });

  it('scores on the calling thread once closed', () => {
    const helper = new ForestHelper();
    helper.close();
    const forest = new IsolationForest({ seed: 3 }).fit(matrix(300, 4, 3));
    const x = matrix(10_000, 4, 4);
    const out = new Float64Array(x.rows);
    helper.scoring(forest, x, out);
    expect(Array.from(out)).toEqual(Array.from(forest.anomalyScores(x)));
  });

  it('gives up on a helper that died, scoring its half here with the same doubles', async () => {
    const helper = new ForestHelper(500);
    try {
      const forest = new IsolationForest({ seed: 5, nEstimators: 50 }).fit(matrix(400, 5, 5));
      // The thread dies the way an out-of-memory helper does: gone without an answer or a message this thread sees.
      await (helper as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      for (const rows of [6000, 6000]) {
        const x = matrix(rows, 5, rows + 1);
        const out = new Float64Array(rows).fill(NaN);
        helper.scoring(forest, x, out);
        expect(Array.from(out)).toEqual(Array.from(forest.anomalyScores(x)));
      }
    } finally {
      helper.close();
    }
  });
});
