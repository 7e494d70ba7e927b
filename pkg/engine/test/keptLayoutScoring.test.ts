// keptLayoutScoring: the scores of IsolationForest.anomalyScores, with the batch scorer (and so the dense layout) of
// the forest scored last kept from batch to batch, and replaced when another forest comes.
import { IsolationForest } from '../src/isolationForest';
import { keptLayoutScoring } from '../src/keptLayoutScoring';
import { createRandom } from '../src/random';

function matrix(rows: number, cols: number, seed: number) {
  const random = createRandom(seed);
  return { rows, cols, values: Float32Array.from({ length: rows * cols }, () => random.nextFloat()) };
}

describe('keptLayoutScoring', () => {
  it('scores as anomalyScores, with one batch scorer per run of batches of the same forest', () => {
    const forests = [1, 2].map((seed) => new IsolationForest({ seed, nEstimators: 30 }).fit(matrix(300, 5, seed)));
    const made = jest.spyOn(IsolationForest.prototype, 'batchScorer');
    try {
      const scoring = keptLayoutScoring();
      const batches: Array<[number, number]> = [
        [0, 4000],
        [0, 3],
        [0, 2500],
        [1, 4000],
        [0, 1000],
      ];
      batches.forEach(([f, rows], b) => {
        const x = matrix(rows, 5, 100 + b);
        const out = new Float64Array(rows).fill(NaN);
        scoring(forests[f], x, out);
        expect(Array.from(out)).toEqual(Array.from(forests[f].anomalyScores(x)));
      });
      expect(made.mock.contexts).toEqual([forests[0], forests[1], forests[0]]);
    } finally {
      made.mockRestore();
    }
  });
});
